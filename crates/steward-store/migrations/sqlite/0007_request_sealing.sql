-- Whose key a request's payload, part results and answer are sealed under:
-- the installation's, or (once it leads to a subject) the subject's own, so
-- an erasure takes them along. Requests from before were all sealed under
-- the installation's key.
ALTER TABLE requests ADD COLUMN sealed_under TEXT NOT NULL DEFAULT 'installation';
