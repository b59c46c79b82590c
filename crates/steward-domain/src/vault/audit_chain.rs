//! The audit log: an append-only chain in which every entry carries the hash
//! of the one before it, so changing, deleting or reordering any entry breaks
//! the chain from that point. Entries hold no plain personal data (subjects
//! appear by pseudonym), so the log survives erasure and still verifies.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::vault::crypto::sha256_hex;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is recorded, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// RFC 3339 time of the act.
    pub at: String,
    /// Who acted: a token id, `cli`, or `system`.
    pub actor: String,
    /// What happened, e.g. `record.write`, `read.allowed`, `consent.withdraw`.
    pub action: String,
    /// The subject's pseudonym, if the act concerns one.
    pub subject: Option<String>,
    /// Further facts, never personal data in plain text.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash of this event after `prev_hash`. The sequence number is not
    /// part of it: position is fixed by the links, which lets verification
    /// tell a reordering from a modification.
    pub fn hash_after(&self, prev_hash: &str) -> String {
        let detail = self.detail.to_string();
        sha256_hex(&[
            b"steward/audit/v1",
            prev_hash.as_bytes(),
            self.at.as_bytes(),
            self.actor.as_bytes(),
            self.action.as_bytes(),
            self.subject.as_deref().unwrap_or("").as_bytes(),
            detail.as_bytes(),
        ])
    }

    /// Chains this event after `previous` (or at the start).
    pub fn chain(self, previous: Option<(u64, &str)>) -> AuditEntry {
        let (seq, prev_hash) = match previous {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS.to_owned()),
        };
        let hash = self.hash_after(&prev_hash);
        AuditEntry {
            seq,
            event: self,
            prev_hash,
            hash,
        }
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tamper {
    #[error("entry {seq} was modified: its content no longer matches its hash")]
    Modified { seq: u64 },
    #[error(
        "entry {seq} was replaced or the one before it was altered: it does not follow entry {previous}"
    )]
    BrokenLink { seq: u64, previous: u64 },
    #[error("entries {first} to {last} are missing: deleted from the log")]
    Deleted { first: u64, last: u64 },
    #[error("entry {seq} is out of order: it follows entry {follows}, which comes after it")]
    Reordered { seq: u64, follows: u64 },
    #[error("entry {seq} appears twice")]
    Duplicated { seq: u64 },
    #[error(
        "the log ends at entry {last}, but entry {expected} was recorded as its head: later entries were deleted"
    )]
    Truncated { last: u64, expected: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub entries: u64,
    /// The hash of the last entry: write it down elsewhere to detect a
    /// rewrite of the whole chain later.
    pub head: String,
}

/// Checks a whole chain, given in sequence order, against the head the
/// store recorded separately (which catches deletion at the end).
pub fn verify(entries: &[AuditEntry], recorded_head: Option<u64>) -> Result<Verified, Tamper> {
    let position: HashMap<&str, u64> = entries.iter().map(|e| (e.hash.as_str(), e.seq)).collect();
    let mut previous: Option<&AuditEntry> = None;
    for entry in entries {
        let expected_seq = previous.map_or(1, |p| p.seq + 1);
        if entry.seq < expected_seq {
            return Err(Tamper::Duplicated { seq: entry.seq });
        }
        if entry.seq > expected_seq {
            return Err(Tamper::Deleted {
                first: expected_seq,
                last: entry.seq - 1,
            });
        }
        if entry.event.hash_after(&entry.prev_hash) != entry.hash {
            return Err(Tamper::Modified { seq: entry.seq });
        }
        let expected_prev = previous.map_or(GENESIS, |p| p.hash.as_str());
        if entry.prev_hash != expected_prev {
            return Err(match position.get(entry.prev_hash.as_str()) {
                Some(&follows) if follows > entry.seq => Tamper::Reordered {
                    seq: entry.seq,
                    follows,
                },
                _ => Tamper::BrokenLink {
                    seq: entry.seq,
                    previous: expected_seq - 1,
                },
            });
        }
        previous = Some(entry);
    }
    let last = previous.map_or(0, |p| p.seq);
    if let Some(expected) = recorded_head
        && expected > last
    {
        return Err(Tamper::Truncated { last, expected });
    }
    Ok(Verified {
        entries: last,
        head: previous.map_or_else(|| GENESIS.to_owned(), |p| p.hash.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> AuditEvent {
        AuditEvent {
            at: format!("2026-01-01T00:00:{n:02}Z"),
            actor: "token:1".into(),
            action: "record.write".into(),
            subject: Some(format!("pseudonym{n}")),
            detail: serde_json::json!({ "category": "contact.email", "n": n }),
        }
    }

    fn chain(n: u64) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let previous = entries.last().map(|e| (e.seq, e.hash.as_str()));
            entries.push(event(i).chain(previous));
        }
        entries
    }

    #[test]
    fn an_untouched_chain_verifies_and_reports_its_head() {
        let entries = chain(5);
        let verified = verify(&entries, Some(5)).expect("intact");
        assert_eq!(verified.entries, 5);
        assert_eq!(verified.head, entries[4].hash);
        assert_eq!(verify(&[], None).map(|v| v.entries), Ok(0));
    }

    #[test]
    fn a_modified_field_is_found_at_its_entry() {
        let mut entries = chain(5);
        entries[2].event.action = "record.read".into();
        assert_eq!(verify(&entries, Some(5)), Err(Tamper::Modified { seq: 3 }));
    }

    #[test]
    fn a_modified_entry_with_a_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[2].event.actor = "someone else".into();
        entries[2].hash = entries[2].event.hash_after(&entries[2].prev_hash);
        assert_eq!(
            verify(&entries, Some(5)),
            Err(Tamper::BrokenLink {
                seq: 4,
                previous: 3
            })
        );
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(
            verify(&entries, Some(5)),
            Err(Tamper::Deleted { first: 2, last: 2 })
        );
    }

    #[test]
    fn deleting_the_last_entries_is_caught_by_the_recorded_head() {
        let mut entries = chain(5);
        entries.truncate(3);
        assert_eq!(
            verify(&entries, Some(5)),
            Err(Tamper::Truncated {
                last: 3,
                expected: 5
            })
        );
    }

    #[test]
    fn swapped_entries_are_reported_as_reordered() {
        let mut entries = chain(5);
        // Swap the contents of entries 2 and 3, keeping the sequence numbers.
        let (a, b) = (entries[1].clone(), entries[2].clone());
        entries[1] = AuditEntry { seq: 2, ..b };
        entries[2] = AuditEntry { seq: 3, ..a };
        assert_eq!(
            verify(&entries, Some(5)),
            Err(Tamper::Reordered { seq: 2, follows: 3 })
        );
    }

    #[test]
    fn a_duplicated_sequence_number_is_named() {
        let mut entries = chain(3);
        let copy = entries[1].clone();
        entries.insert(2, copy);
        assert_eq!(verify(&entries, None), Err(Tamper::Duplicated { seq: 2 }));
    }
}
