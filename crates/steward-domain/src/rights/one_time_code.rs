//! One-time codes that prove a requester holds each identity their request
//! claims (Art. 12(6)). A code is six random digits, valid 15 minutes, with 5
//! tries; only its hash is stored, bound to its request and identity kind, so
//! a code cannot be replayed on another request or another identity.

use chacha20poly1305::aead::{OsRng, rand_core::RngCore};
use serde::{Deserialize, Serialize};

use crate::vault::crypto::sha256_hex;

pub const LIFETIME_SECONDS: i64 = 15 * 60;
pub const MAX_ATTEMPTS: u32 = 5;

/// What is stored for one claimed identity of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: u32,
    pub verified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the code has expired; ask for a new one")]
    Expired,
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    #[error("the code is not right; {remaining} tries left")]
    Wrong { remaining: u32 },
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
    };
    (code, challenge)
}

/// Checks a submitted code; every try counts, right or wrong.
pub fn check(
    challenge: &mut Challenge,
    request_id: &str,
    identity_kind: &str,
    submitted: &str,
    now: i64,
) -> Result<(), VerifyError> {
    if challenge.verified {
        return Ok(());
    }
    if challenge.attempts >= MAX_ATTEMPTS {
        return Err(VerifyError::TooManyAttempts);
    }
    if now > challenge.expires_at {
        return Err(VerifyError::Expired);
    }
    challenge.attempts += 1;
    let digits: String = submitted
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if constant_time_eq(
        hash(request_id, identity_kind, &digits).as_bytes(),
        challenge.code_hash.as_bytes(),
    ) {
        challenge.verified = true;
        Ok(())
    } else {
        Err(VerifyError::Wrong {
            remaining: MAX_ATTEMPTS - challenge.attempts,
        })
    }
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
    fn the_issued_code_verifies_once_and_stays_verified() {
        let (code, mut challenge) = issue("req-1", "email", 1_000);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(
            check(
                &mut challenge,
                "req-1",
                "email",
                &format!(" {}-{} ", &code[..3], &code[3..]),
                1_100
            ),
            Ok(())
        );
        assert!(challenge.verified);
        assert_eq!(
            check(&mut challenge, "req-1", "email", "000000", 9_999_999),
            Ok(())
        );
    }

    #[test]
    fn a_code_is_bound_to_its_request_and_identity() {
        let (code, challenge) = issue("req-1", "email", 0);
        let mut other_request = challenge.clone();
        assert!(matches!(
            check(&mut other_request, "req-2", "email", &code, 1),
            Err(VerifyError::Wrong { .. })
        ));
        let mut other_identity = challenge;
        assert!(matches!(
            check(&mut other_identity, "req-1", "phone", &code, 1),
            Err(VerifyError::Wrong { .. })
        ));
    }

    #[test]
    fn wrong_codes_run_out_and_then_even_the_right_one_fails() {
        let (code, mut challenge) = issue("req", "email", 0);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for remaining in (0..MAX_ATTEMPTS).rev() {
            assert_eq!(
                check(&mut challenge, "req", "email", wrong, 1),
                Err(VerifyError::Wrong { remaining })
            );
        }
        assert_eq!(
            check(&mut challenge, "req", "email", &code, 1),
            Err(VerifyError::TooManyAttempts)
        );
    }

    #[test]
    fn codes_expire_after_fifteen_minutes() {
        let (code, mut challenge) = issue("req", "email", 0);
        assert_eq!(
            check(&mut challenge, "req", "email", &code, LIFETIME_SECONDS + 1),
            Err(VerifyError::Expired)
        );
        let (code, mut fresh) = issue("req", "email", 0);
        assert_eq!(
            check(&mut fresh, "req", "email", &code, LIFETIME_SECONDS),
            Ok(())
        );
    }

    #[test]
    fn codes_are_spread_over_all_six_digit_numbers() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| issue("r", "email", 0).0).collect();
        // 200 draws from a million collide about 0.02 times on average.
        assert!(codes.len() > 190, "random, not repeated");
    }
}
