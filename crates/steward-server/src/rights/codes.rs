//! A request's codes as they are stored, and what the limits per identity
//! count by.

use steward_domain::common::ids::RequestId;
use steward_domain::rights::one_time_code::Challenge;
use steward_domain::vault::crypto::sha256_hex;
use steward_store::StoredChallenge;

use crate::rights::payload::Claimed;
use crate::vault::{Result, VaultError};

pub(super) fn stored_challenge(
    request: &RequestId,
    kind: &str,
    challenge: &Challenge,
) -> Result<StoredChallenge> {
    Ok(StoredChallenge {
        request_id: request.clone(),
        identity_kind: kind.to_owned(),
        code_hash: challenge.code_hash.clone(),
        expires_at: jiff::Timestamp::from_second(challenge.expires_at)
            .map_err(|e| VaultError::Internal(format!("a code's expiry: {e}")))?,
        attempts: i64::from(challenge.attempts),
        verified: challenge.verified,
        sends: i64::from(challenge.sends),
        last_sent_at: jiff::Timestamp::from_second(challenge.last_sent_at)
            .map_err(|e| VaultError::Internal(format!("when a code was sent: {e}")))?,
    })
}

pub(super) fn challenge_of(stored: &StoredChallenge) -> Challenge {
    Challenge {
        code_hash: stored.code_hash.clone(),
        expires_at: stored.expires_at.as_second(),
        attempts: u32::try_from(stored.attempts).unwrap_or(u32::MAX),
        verified: stored.verified,
        sends: u32::try_from(stored.sends).unwrap_or(u32::MAX),
        last_sent_at: stored.last_sent_at.as_second(),
    }
}

/// What the limits per identity count by: a hash, so the counts hold no
/// address.
pub(super) fn identity_key(identity: &Claimed) -> String {
    sha256_hex(&[
        b"steward/limit/v1",
        identity.kind.as_bytes(),
        identity.value.as_bytes(),
    ])
}
