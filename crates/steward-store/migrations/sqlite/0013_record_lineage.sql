-- Lineage: the records a derived record was computed from (a JSON list of
-- record ids; NULL for data not derived in the vault), and since when it
-- must be computed again because one of them was corrected (NULL: current).
ALTER TABLE records ADD COLUMN derived_from TEXT;
ALTER TABLE records ADD COLUMN recompute_since TEXT;
