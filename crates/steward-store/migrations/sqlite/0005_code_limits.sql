-- How many codes went to each claimed identity of a request, and when the
-- last one went: a requester may ask for a new code only a few times, and
-- not twice within a minute. Codes already sent count as one, sent when
-- they were made (their expiry less their 15 minutes).
ALTER TABLE request_challenges ADD COLUMN sends INTEGER NOT NULL DEFAULT 1;
ALTER TABLE request_challenges ADD COLUMN last_sent_at INTEGER NOT NULL DEFAULT 0;
UPDATE request_challenges SET last_sent_at = expires_at - 900 WHERE verified = 0;

-- Unverified requests expire: found by state and age.
CREATE INDEX requests_state_received ON requests(state, received_at);
