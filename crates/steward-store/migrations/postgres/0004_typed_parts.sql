-- The parts of requests, typed: where each works (target: vault,
-- system:<id>, recipient:<id>), what it does there (the same action names
-- for the vault as for systems), and its sealed result as bytes.

ALTER TABLE jobs RENAME COLUMN system TO target;
UPDATE jobs SET target = 'system:' || target
 WHERE target <> 'vault' AND target NOT LIKE 'recipient:%';
UPDATE jobs SET action = CASE action
    WHEN 'portability' THEN 'access'
    WHEN 'erasure' THEN 'erase'
    WHEN 'rectification' THEN 'rectify'
    WHEN 'restriction' THEN 'restrict'
    WHEN 'objection' THEN 'object'
    WHEN 'consent_withdrawal' THEN 'withdraw_consent'
    ELSE action END
 WHERE target = 'vault';
ALTER TABLE jobs ADD COLUMN result_sealed BYTEA;
UPDATE jobs SET result_sealed = decode(result::json->>'sealed', 'hex') WHERE result IS NOT NULL;
ALTER TABLE jobs DROP COLUMN result;
ALTER TABLE jobs DROP COLUMN payload;
