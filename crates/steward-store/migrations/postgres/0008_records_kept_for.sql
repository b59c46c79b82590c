-- After an erasure that had to keep a record (Art. 17(3)): the only purposes
-- it may still be used for, as a JSON list. NULL while no erasure touched it.
ALTER TABLE records ADD COLUMN kept_for TEXT;
