-- Art. 8: the day from which a child may consent on their own (the age of
-- digital consent), kept only while it is still to come; and who gave each
-- consent: the subject, or a holder of parental responsibility.
ALTER TABLE subjects ADD COLUMN own_consent_from TEXT;
ALTER TABLE consents ADD COLUMN given_by TEXT NOT NULL DEFAULT 'subject';
