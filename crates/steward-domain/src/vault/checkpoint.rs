//! Signed checkpoints of the audit log, in the way of Certificate
//! Transparency's signed tree heads: Steward signs the log's size and head
//! hash with an Ed25519 key kept apart from the database, and the signed text
//! is kept elsewhere (a witness, an auditor). The chain alone cannot show a
//! rewrite of its end or of the whole of it, since whoever owns the database
//! can recompute every hash and move the head; a checkpoint can, since they
//! cannot sign a new one.
//!
//! The text is a signed note: a body of labelled lines, a blank line, and a
//! signature line naming the key:
//!
//! ```text
//! steward-audit-checkpoint v1
//! origin connectel
//! size 42
//! head 5f3a…
//! at 2026-01-01T12:00:00Z
//!
//! — steward 1a2b3c4d5e6f7a8b 9f…(128 hex digits)
//! ```
//!
//! The signature covers the body exactly, through the newline of its last
//! line. A file may hold several checkpoints one after another (a witness's
//! log).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use jiff::Timestamp;
use serde::Serialize;

use crate::vault::audit_chain::{AuditEntry, GENESIS, Tamper, verify};
use crate::vault::crypto::{SecretKey, hex_decode, hex_encode, sha256_hex};

/// The first line of every checkpoint: its format and version.
pub const HEADER: &str = "steward-audit-checkpoint v1";
const SIGNATURE_PREFIX: &str = "— steward ";

/// What is signed: the log's name, how many entries it had, the hash of the
/// last of them, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// Which log: the policy's id.
    pub origin: String,
    /// The number of entries, which is also the last entry's sequence number.
    pub size: u64,
    /// The hash of entry `size` (the genesis hash for an empty log).
    pub head: String,
    pub at: Timestamp,
}

/// A checkpoint with its signature and the id of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub key_id: String,
    signature: Signature,
}

/// The private key that signs checkpoints: a 32-byte Ed25519 seed.
pub struct CheckpointKey(SigningKey);

/// The public half, which an auditor keeps to check signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPublicKey(VerifyingKey);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a checkpoint: {0}")]
    Format(String),
    #[error("a public key must be 32 bytes written as 64 hexadecimal digits: {0}")]
    KeyFormat(String),
    #[error(
        "the checkpoint of size {size} was signed by key {signed_by}, not by the key given ({given})"
    )]
    OtherKey {
        size: u64,
        signed_by: String,
        given: String,
    },
    #[error(
        "the signature of the checkpoint of size {size} does not verify with key {key_id}: the checkpoint was altered or forged"
    )]
    BadSignature { size: u64, key_id: String },
}

impl CheckpointKey {
    pub fn from_secret(secret: &SecretKey) -> Self {
        Self(SigningKey::from_bytes(secret.as_bytes()))
    }

    pub fn public_key(&self) -> CheckpointPublicKey {
        CheckpointPublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, checkpoint: Checkpoint) -> SignedCheckpoint {
        let signature = self.0.sign(checkpoint.body().as_bytes());
        SignedCheckpoint {
            checkpoint,
            key_id: self.public_key().key_id(),
            signature,
        }
    }
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointKey({})", self.public_key().key_id())
    }
}

impl CheckpointPublicKey {
    pub fn from_hex(text: &str) -> Result<Self, CheckpointError> {
        let text = text.trim();
        let bytes: [u8; 32] = hex_decode(text)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CheckpointError::KeyFormat(format!("got {} characters", text.len())))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| CheckpointError::KeyFormat("not a point on the curve".into()))
    }

    pub fn to_hex(&self) -> String {
        hex_encode(self.0.as_bytes())
    }

    /// A short name for the key, written in every signature line: the first
    /// 16 hex digits of the SHA-256 of the public key.
    pub fn key_id(&self) -> String {
        sha256_hex(&[b"steward/audit-checkpoint-key/v1", self.0.as_bytes()])[..16].to_owned()
    }
}

impl Checkpoint {
    /// The exact text that is signed.
    pub fn body(&self) -> String {
        format!(
            "{HEADER}\norigin {}\nsize {}\nhead {}\nat {}\n",
            self.origin, self.size, self.head, self.at
        )
    }
}

impl SignedCheckpoint {
    /// The signed note: body, blank line, signature line.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{SIGNATURE_PREFIX}{} {}\n",
            self.checkpoint.body(),
            self.key_id,
            hex_encode(&self.signature.to_bytes())
        )
    }

    /// Reads one checkpoint. The body must be exactly as Steward writes it,
    /// so that what is verified is what was signed.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let format = |reason: String| CheckpointError::Format(reason);
        let (body, rest) = text
            .split_once("\n\n")
            .ok_or_else(|| format("no blank line before the signature".into()))?;
        let mut lines = body.lines();
        if lines.next() != Some(HEADER) {
            return Err(format(format!("the first line is not `{HEADER}`")));
        }
        let mut field = |label: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(label))
                .and_then(|l| l.strip_prefix(' '))
                .map(str::to_owned)
                .ok_or_else(|| format(format!("no `{label}` line where one was expected")))
        };
        let origin = field("origin")?;
        let size = field("size")?;
        let size: u64 = size
            .parse()
            .map_err(|_| format(format!("the size `{size}` is not a number")))?;
        let head = field("head")?;
        let at = field("at")?;
        let at: Timestamp = at
            .parse()
            .map_err(|e| format(format!("the time `{at}` is not an RFC 3339 time: {e}")))?;
        let checkpoint = Checkpoint {
            origin,
            size,
            head,
            at,
        };
        if checkpoint.body() != format!("{body}\n") {
            return Err(format(
                "the body is not in its canonical form (extra lines or spacing)".into(),
            ));
        }
        let line = rest.lines().next().unwrap_or_default();
        let (key_id, signature) = line
            .strip_prefix(SIGNATURE_PREFIX)
            .and_then(|l| l.split_once(' '))
            .ok_or_else(|| {
                format(format!(
                    "the signature line must start `{SIGNATURE_PREFIX}`"
                ))
            })?;
        let signature: [u8; 64] = hex_decode(signature.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format("the signature is not 128 hexadecimal digits".into()))?;
        Ok(Self {
            checkpoint,
            key_id: key_id.to_owned(),
            signature: Signature::from_bytes(&signature),
        })
    }

    /// Reads every checkpoint in a text, e.g. a witness's log: each starts
    /// at a header line.
    pub fn parse_all(text: &str) -> Result<Vec<Self>, CheckpointError> {
        let mut starts: Vec<usize> = text
            .match_indices(HEADER)
            .map(|(i, _)| i)
            .filter(|&i| i == 0 || text[..i].ends_with('\n'))
            .collect();
        if starts.is_empty() {
            return Err(CheckpointError::Format(format!("no `{HEADER}` line")));
        }
        starts.push(text.len());
        starts
            .windows(2)
            .enumerate()
            .map(|(n, w)| {
                Self::parse(&text[w[0]..w[1]]).map_err(|e| match e {
                    CheckpointError::Format(reason) => {
                        CheckpointError::Format(format!("checkpoint {}: {reason}", n + 1))
                    }
                    other => other,
                })
            })
            .collect()
    }

    /// Checks the signature against a key the verifier trusts.
    pub fn verify(&self, key: &CheckpointPublicKey) -> Result<(), CheckpointError> {
        let size = self.checkpoint.size;
        if self.key_id != key.key_id() {
            return Err(CheckpointError::OtherKey {
                size,
                signed_by: self.key_id.clone(),
                given: key.key_id(),
            });
        }
        key.0
            .verify_strict(self.checkpoint.body().as_bytes(), &self.signature)
            .map_err(|_| CheckpointError::BadSignature {
                size,
                key_id: self.key_id.clone(),
            })
    }
}

/// How a log stands against the checkpoints it must extend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extends {
    /// Entries in the log now.
    pub entries: u64,
    pub head: String,
    /// Entries after the largest checkpoint: not yet covered by any
    /// signature, so a forged entry among them cannot be told from a genuine
    /// one until a later checkpoint covers it.
    pub uncovered: u64,
}

/// What makes a log not extend a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Breach {
    #[error("{0}")]
    Chain(Tamper),
    #[error(
        "the log has {entries} entries, but the checkpoint signed at {at} covers {size}: entries were removed and the head moved back (truncated, or wiped and reset)"
    )]
    Shorter { entries: u64, size: u64, at: String },
    #[error(
        "entry {seq} is not the one the checkpoint signed at {at}: its hash is {found}, the checkpoint's {expected}; the log was rewritten up to there"
    )]
    Rewritten {
        seq: u64,
        at: String,
        expected: String,
        found: String,
    },
}

/// Checks that the log (entries in sequence order, and the head the store
/// recorded) still extends each checkpoint: the chain verifies from the
/// first entry to the last, it is at least as long as the checkpoint, and
/// entry `size` has exactly the checkpoint's hash. A hash chain fixes
/// everything before that entry, so no earlier entry can have changed
/// either. Signatures are checked apart, by [`SignedCheckpoint::verify`].
pub fn extends(
    entries: &[AuditEntry],
    recorded_head: Option<u64>,
    checkpoints: &[Checkpoint],
) -> Result<Extends, Breach> {
    let verified = verify(entries, recorded_head).map_err(Breach::Chain)?;
    let mut covered = 0;
    for checkpoint in checkpoints {
        let at = checkpoint.at.to_string();
        if verified.entries < checkpoint.size {
            return Err(Breach::Shorter {
                entries: verified.entries,
                size: checkpoint.size,
                at,
            });
        }
        // The chain verified, so entries are numbered from 1 without gaps.
        let found = match checkpoint.size {
            0 => GENESIS.to_owned(),
            n => entries[(n - 1) as usize].hash.clone(),
        };
        if found != checkpoint.head {
            return Err(Breach::Rewritten {
                seq: checkpoint.size,
                at,
                expected: checkpoint.head.clone(),
                found,
            });
        }
        covered = covered.max(checkpoint.size);
    }
    Ok(Extends {
        entries: verified.entries,
        head: verified.head,
        uncovered: verified.entries - covered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::audit_chain::AuditEvent;

    fn event(n: u64) -> AuditEvent {
        AuditEvent {
            at: format!("2026-01-01T00:00:{n:02}Z"),
            actor: "token:1".into(),
            action: "record.write".into(),
            subject: None,
            detail: serde_json::json!({ "n": n }),
        }
    }

    fn chain_of(events: impl IntoIterator<Item = AuditEvent>) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for e in events {
            let previous = entries.last().map(|p| (p.seq, p.hash.as_str()));
            entries.push(e.chain(previous));
        }
        entries
    }

    fn chain(n: u64) -> Vec<AuditEntry> {
        chain_of((1..=n).map(event))
    }

    fn key(byte: u8) -> CheckpointKey {
        CheckpointKey::from_secret(&SecretKey::from_bytes(&[byte; 32]).expect("32 bytes"))
    }

    fn checkpoint_of(entries: &[AuditEntry]) -> Checkpoint {
        Checkpoint {
            origin: "connectel".into(),
            size: entries.len() as u64,
            head: entries
                .last()
                .map_or(GENESIS.to_owned(), |e| e.hash.clone()),
            at: "2026-01-01T12:00:00Z".parse().expect("time"),
        }
    }

    #[test]
    fn a_signed_checkpoint_reads_back_and_verifies_with_its_key_only() {
        let key = key(7);
        let signed = key.sign(checkpoint_of(&chain(3)));
        let text = signed.to_text();
        assert!(text.starts_with("steward-audit-checkpoint v1\norigin connectel\nsize 3\n"));
        let read = SignedCheckpoint::parse(&text).expect("parses");
        assert_eq!(read, signed);
        assert_eq!(read.verify(&key.public_key()), Ok(()));
        let other = self::key(8).public_key();
        assert!(matches!(
            read.verify(&other),
            Err(CheckpointError::OtherKey { size: 3, .. })
        ));
        let public = CheckpointPublicKey::from_hex(&key.public_key().to_hex()).expect("hex");
        assert_eq!(public, key.public_key());
    }

    #[test]
    fn an_altered_checkpoint_fails_its_signature() {
        let key = key(7);
        let text = key.sign(checkpoint_of(&chain(5))).to_text();
        let altered = text.replace("size 5", "size 4");
        let read = SignedCheckpoint::parse(&altered).expect("still parses");
        assert_eq!(
            read.verify(&key.public_key()),
            Err(CheckpointError::BadSignature {
                size: 4,
                key_id: key.public_key().key_id()
            })
        );
        let spaced = text.replace("size 5", "size  5");
        assert!(matches!(
            SignedCheckpoint::parse(&spaced),
            Err(CheckpointError::Format(_))
        ));
    }

    #[test]
    fn a_witness_log_of_several_checkpoints_reads_in_order() {
        let key = key(7);
        let entries = chain(4);
        let text = format!(
            "{}{}",
            key.sign(checkpoint_of(&entries[..2])).to_text(),
            key.sign(checkpoint_of(&entries)).to_text()
        );
        let all = SignedCheckpoint::parse_all(&text).expect("parses");
        assert_eq!(
            all.iter().map(|c| c.checkpoint.size).collect::<Vec<_>>(),
            [2, 4]
        );
        assert!(SignedCheckpoint::parse_all("hello\n").is_err());
    }

    #[test]
    fn a_log_that_grew_extends_its_checkpoint_and_counts_what_is_uncovered() {
        let entries = chain(5);
        let checkpoint = checkpoint_of(&entries[..3]);
        let verdict = extends(&entries, Some(5), &[checkpoint]).expect("extends");
        assert_eq!((verdict.entries, verdict.uncovered), (5, 2));
        let empty = checkpoint_of(&[]);
        assert_eq!(
            extends(&entries, Some(5), &[empty]).map(|v| v.uncovered),
            Ok(5)
        );
    }

    #[test]
    fn truncating_and_moving_the_head_back_is_shorter_than_the_checkpoint() {
        let entries = chain(5);
        let checkpoint = checkpoint_of(&entries);
        assert!(
            verify(&entries[..3], Some(3)).is_ok(),
            "the head alone passes"
        );
        assert!(matches!(
            extends(&entries[..3], Some(3), std::slice::from_ref(&checkpoint)),
            Err(Breach::Shorter {
                entries: 3,
                size: 5,
                ..
            })
        ));
        assert!(matches!(
            extends(&[], Some(0), &[checkpoint]),
            Err(Breach::Shorter { entries: 0, .. })
        ));
    }

    #[test]
    fn a_rewritten_and_rehashed_log_does_not_match_the_signed_head() {
        let entries = chain(5);
        let checkpoint = checkpoint_of(&entries);
        let mut events: Vec<AuditEvent> = entries.iter().map(|e| e.event.clone()).collect();
        events[1].action = "nothing.happened".into();
        let rewritten = chain_of(events);
        assert!(verify(&rewritten, Some(5)).is_ok(), "the head alone passes");
        assert!(matches!(
            extends(&rewritten, Some(5), std::slice::from_ref(&checkpoint)),
            Err(Breach::Rewritten { seq: 5, .. })
        ));
        // A wiped log refilled past the checkpoint's size.
        let refilled = chain_of((10..17).map(event));
        assert!(matches!(
            extends(&refilled, Some(7), &[checkpoint]),
            Err(Breach::Rewritten { seq: 5, .. })
        ));
    }

    #[test]
    fn a_broken_chain_is_named_before_the_checkpoint() {
        let mut entries = chain(5);
        entries[1].event.actor = "someone".into();
        assert_eq!(
            extends(&entries, Some(5), &[checkpoint_of(&chain(5))]),
            Err(Breach::Chain(Tamper::Modified { seq: 2 }))
        );
    }
}
