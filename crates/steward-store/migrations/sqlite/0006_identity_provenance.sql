-- How each identity came to its subject: given when it was created, added
-- by an officer, or added later by a service (unproven: it never unlocks a
-- data-subject request). Identities from before this was kept count as
-- given at creation: nothing recorded tells otherwise.
ALTER TABLE identities ADD COLUMN provenance TEXT NOT NULL DEFAULT 'creation';
