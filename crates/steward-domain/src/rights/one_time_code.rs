//! One-time codes that prove a requester holds each identity their request
//! claims (Art. 12(6)). A code is six random digits, valid 15 minutes, with 5
//! tries; a request gets at most 3 codes per identity, a minute apart. Only a
//! code's hash is stored, bound to its request and identity kind, so a code
//! cannot be replayed on another request or another identity. The store
//! counts the tries (atomically); this module says what a try means.

use chacha20poly1305::aead::{OsRng, rand_core::RngCore};
use serde::{Deserialize, Serialize};

use crate::vault::crypto::sha256_hex;

pub const LIFETIME_SECONDS: i64 = 15 * 60;
/// Tries at one code.
pub const MAX_TRIES: u32 = 5;
/// Codes sent to one identity for one request, the first included.
pub const MAX_SENDS: u32 = 3;
/// The least time between two codes to one identity for one request.
pub const RESEND_SPACING_SECONDS: i64 = 60;

/// What is stored for one claimed identity of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub code_hash: String,
    pub expires_at: i64,
    /// Tries taken at this code.
    pub attempts: u32,
    pub verified: bool,
    /// Codes sent so far, this one included.
    pub sends: u32,
    pub last_sent_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the code has expired; ask for a new one")]
    Expired,
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    #[error(
        "too many wrong codes, and no more codes are sent for this request; submit a new request"
    )]
    NoTriesLeft,
    #[error("the code is not right; {remaining} tries left")]
    Wrong { remaining: u32 },
}

/// Why no new code can be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResendError {
    #[error("a new code was sent less than a minute ago; wait {wait_seconds} seconds")]
    TooSoon { wait_seconds: i64 },
    #[error(
        "{MAX_SENDS} codes have been sent for this request, the most there are; submit a new request"
    )]
    NoMore,
}

/// A fresh code for `identity_kind` on `request_id`: the code to send, and
/// what to store.
pub fn issue(request_id: &str, identity_kind: &str, now: i64) -> (String, Challenge) {
    // Rejection sampling keeps every code equally likely.
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    let number = loop {
        let candidate = OsRng.next_u32();
        if candidate < LIMIT {
            break candidate % 1_000_000;
        }
    };
    let code = format!("{number:06}");
    let challenge = Challenge {
        code_hash: hash(request_id, identity_kind, &code),
        expires_at: now + LIFETIME_SECONDS,
        attempts: 0,
        verified: false,
        sends: 1,
        last_sent_at: now,
    };
    (code, challenge)
}

/// Whether a submitted code is the one `code_hash` was made from (spaces and
/// dashes, as people type them, do not count).
pub fn matches(code_hash: &str, request_id: &str, identity_kind: &str, submitted: &str) -> bool {
    let digits: String = submitted
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    constant_time_eq(
        hash(request_id, identity_kind, &digits).as_bytes(),
        code_hash.as_bytes(),
    )
}

/// What a wrong code leaves: the tries still left at it.
pub fn wrong(challenge: &Challenge) -> VerifyError {
    VerifyError::Wrong {
        remaining: MAX_TRIES.saturating_sub(challenge.attempts),
    }
}

/// Why a try was not given (the store gave none): `None` when the identity
/// is proven already.
pub fn refused(challenge: &Challenge, now: i64) -> Option<VerifyError> {
    if challenge.verified {
        None
    } else if challenge.attempts >= MAX_TRIES {
        Some(if challenge.sends >= MAX_SENDS {
            VerifyError::NoTriesLeft
        } else {
            VerifyError::TooManyAttempts
        })
    } else if now > challenge.expires_at {
        Some(VerifyError::Expired)
    } else {
        // Taken by a parallel try between the two reads: as good as used up.
        Some(VerifyError::TooManyAttempts)
    }
}

/// Whether a new code may be sent now.
pub fn may_resend(challenge: &Challenge, now: i64) -> Result<(), ResendError> {
    if challenge.sends >= MAX_SENDS {
        return Err(ResendError::NoMore);
    }
    let wait = challenge.last_sent_at + RESEND_SPACING_SECONDS - now;
    if wait > 0 {
        return Err(ResendError::TooSoon { wait_seconds: wait });
    }
    Ok(())
}

fn hash(request_id: &str, identity_kind: &str, code: &str) -> String {
    sha256_hex(&[
        b"steward/otp/v1",
        request_id.as_bytes(),
        identity_kind.as_bytes(),
        code.as_bytes(),
    ])
}

/// Compares without stopping at the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issued_code_matches_as_people_type_it() {
        let (code, challenge) = issue("req-1", "email", 1_000);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert!(matches(
            &challenge.code_hash,
            "req-1",
            "email",
            &format!(" {}-{} ", &code[..3], &code[3..])
        ));
        let wrong_code = if code == "000000" { "111111" } else { "000000" };
        assert!(!matches(&challenge.code_hash, "req-1", "email", wrong_code));
        assert_eq!(
            (
                challenge.sends,
                challenge.last_sent_at,
                challenge.expires_at
            ),
            (1, 1_000, 1_000 + LIFETIME_SECONDS)
        );
    }

    #[test]
    fn a_code_is_bound_to_its_request_and_identity() {
        let (code, challenge) = issue("req-1", "email", 0);
        assert!(!matches(&challenge.code_hash, "req-2", "email", &code));
        assert!(!matches(&challenge.code_hash, "req-1", "phone", &code));
    }

    #[test]
    fn a_refused_try_says_why() {
        let (_, mut challenge) = issue("req", "email", 0);
        assert_eq!(
            refused(&challenge, LIFETIME_SECONDS + 1),
            Some(VerifyError::Expired)
        );
        challenge.attempts = MAX_TRIES;
        assert_eq!(refused(&challenge, 1), Some(VerifyError::TooManyAttempts));
        challenge.sends = MAX_SENDS;
        assert_eq!(refused(&challenge, 1), Some(VerifyError::NoTriesLeft));
        challenge.verified = true;
        assert_eq!(refused(&challenge, 1), None);
        challenge.attempts = 3;
        assert_eq!(wrong(&challenge), VerifyError::Wrong { remaining: 2 });
    }

    #[test]
    fn new_codes_are_spaced_and_limited() {
        let (_, mut challenge) = issue("req", "email", 100);
        assert_eq!(
            may_resend(&challenge, 130),
            Err(ResendError::TooSoon { wait_seconds: 30 })
        );
        assert_eq!(may_resend(&challenge, 160), Ok(()));
        challenge.sends = MAX_SENDS;
        assert_eq!(may_resend(&challenge, 10_000), Err(ResendError::NoMore));
    }

    #[test]
    fn codes_are_spread_over_all_six_digit_numbers() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| issue("r", "email", 0).0).collect();
        // 200 draws from a million collide about 0.02 times on average.
        assert!(codes.len() > 190, "random, not repeated");
    }
}
