//! Art. 17 in the vault: erases what no exception keeps. With nothing kept,
//! the subject's key is destroyed (crypto-shredding); otherwise the records
//! not kept are deleted and the rest stay until their retention ends, usable
//! only for the purposes their exception serves. The
//! plan is made from what the store holds in clear (categories, purposes,
//! dates, events): nothing is decrypted to decide what to delete.

use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::policy::retention::RetentionEnd;
use steward_domain::rights::erasure_plan::{self, ErasureOutcome, Held};
use steward_domain::vault::actor::Actor;

use steward_domain::rights::request::{RequestKind, RequestStatus};

use crate::rights::part_result::{KeptRecord, PartResult};
use crate::rights::payload::Payload;
use crate::rights::service::Rights;
use crate::vault::{Result, VaultError};

impl Rights {
    pub(super) async fn erase_in_vault(
        &self,
        actor: &Actor,
        subject: &SubjectId,
    ) -> Result<PartResult> {
        let vault = &self.vault;
        let file =
            vault
                .store()
                .subject_file(subject)
                .await?
                .ok_or_else(|| VaultError::NotFound {
                    what: "subject",
                    id: subject.to_string(),
                })?;
        if file.subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject.to_string()));
        }
        let day = |at: jiff::Timestamp| vault.local_date(at);
        let events = vault.event_days(&file.events);
        let held: Vec<Held<'_>> = file
            .records
            .iter()
            .map(|r| Held {
                id: r.id.as_str(),
                category: &r.category,
                purposes: &r.purposes,
                collected: day(r.collected_at),
            })
            .collect();
        let plan = erasure_plan::plan(vault.policy(), &held, &events, vault.today());
        let kept: Vec<KeptRecord> = plan
            .iter()
            .filter_map(|p| match &p.outcome {
                ErasureOutcome::Keep {
                    exception,
                    law,
                    until,
                    ..
                } => Some(KeptRecord {
                    category: p.category.clone(),
                    exception: *exception,
                    law: law.clone(),
                    until: until_text(until),
                }),
                ErasureOutcome::Erase => None,
            })
            .collect();
        if kept.is_empty() {
            vault.erase(actor, subject).await?;
            return Ok(PartResult::VaultErased {
                crypto_shredded: true,
                erased: plan.len(),
                kept,
            });
        }
        let erase: Vec<RecordId> = plan
            .iter()
            .filter(|p| p.outcome == ErasureOutcome::Erase)
            .map(|p| RecordId::from(p.id.as_str()))
            .collect();
        // What is kept may from now on be used only for what keeps it.
        let limited: Vec<(RecordId, Vec<String>)> = plan
            .iter()
            .zip(&file.records)
            .filter_map(|(p, record)| match &p.outcome {
                ErasureOutcome::Keep { purposes, .. }
                    if record.kept_for.as_ref() != Some(purposes) =>
                {
                    Some((record.id.clone(), purposes.clone()))
                }
                _ => None,
            })
            .collect();
        // A run again (after a crash or a lost lease) finds nothing left to
        // do, and records nothing.
        if !erase.is_empty() || !limited.is_empty() {
            vault
                .erase_records(actor, subject, &erase, &limited)
                .await?;
        }
        Ok(PartResult::VaultErased {
            crypto_shredded: false,
            erased: erase.len(),
            kept,
        })
    }
}

fn until_text(until: &RetentionEnd) -> String {
    match until {
        RetentionEnd::Through { date } => date.to_string(),
        RetentionEnd::Indefinite => "no end date yet: as long as the legal ground lasts".into(),
        RetentionEnd::AwaitingEvent { events } => format!(
            "until a set time after: {}",
            events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RetentionEnd::Superseded { .. } => "superseded".into(),
    }
}

impl Rights {
    /// After an erasure that had to keep some records (so the subject's key
    /// lives on), the answers of the person's earlier requests still hold
    /// the erased values: each is removed, and its details lose the
    /// identities and values they were asked with. Safe to run again.
    pub(super) async fn empty_earlier_answers(
        &self,
        subject: &SubjectId,
        erasure: &steward_domain::common::ids::RequestId,
    ) -> Result<()> {
        let earlier = self.vault.store().requests_of_subject(subject).await?;
        for stored in earlier {
            let answered = matches!(
                stored.status,
                RequestStatus::Completed | RequestStatus::PartiallyCompleted
            );
            if &stored.id == erasure
                || stored.kind == RequestKind::Erasure
                || !answered
                || stored.result_sealed.is_none()
            {
                continue;
            }
            let key = self.key_for(&stored).await?;
            let mut payload = Payload::open(&key, &stored)?;
            payload.identities.clear();
            payload.value = None;
            let mut emptied = stored.clone();
            emptied.payload_sealed = payload.seal(&key, &stored.id)?;
            emptied.result_sealed = None;
            emptied.updated_at = self.vault.now();
            let step = self.step(
                &stored.id,
                "answer_erased",
                "worker",
                serde_json::json!({ "by_erasure": erasure }),
            );
            match self
                .save(&emptied, stored.status, step, &[], "request.answer_erased")
                .await
            {
                Err(VaultError::NotNow(_)) => {}
                other => other?,
            }
        }
        Ok(())
    }
}
