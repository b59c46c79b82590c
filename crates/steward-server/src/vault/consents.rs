//! The consent ledger: consent recorded with the notice version and text
//! hash the subject was shown; withdrawn without rewriting the past; a
//! receipt with the fields of ISO/IEC TS 27560.

use steward_domain::common::ids::{ConsentId, SubjectId};
use steward_domain::common::lang::Lang;
use steward_domain::policy::LegalBasis;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::consent::{ConsentReceipt, ConsentRecord, GivenBy, digital_consent_age};

use crate::vault::error::{Result, VaultError, invalid};
use crate::vault::input::identifier;
use crate::vault::service::{Vault, fresh_id};

impl Vault {
    pub async fn give_consent(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        purpose: &str,
        method: &str,
        language: Option<&str>,
        given_by: GivenBy,
    ) -> Result<ConsentRecord> {
        let found = self.policy.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy"),
            )
        })?;
        if found.legal_basis != Some(LegalBasis::Consent) {
            return Err(invalid(
                "purpose",
                format!("`{purpose}` does not rest on consent, so consent to it means nothing"),
            ));
        }
        if !actor.may_use(purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not record consent for purpose `{purpose}`"
            )));
        }
        let found_subject = self.subject_for(actor, subject).await?;
        if !found.subjects.contains(&found_subject.subject_type) {
            return Err(invalid(
                "purpose",
                format!(
                    "purpose `{purpose}` does not concern subjects of type `{}`",
                    found_subject.subject_type
                ),
            ));
        }
        // Art. 8(1): a child's own consent does not count; a holder of
        // parental responsibility's does, and is recorded as theirs.
        if let Some(from) = found_subject.own_consent_from
            && self.today() < from
            && given_by == GivenBy::Subject
        {
            return Err(invalid(
                "given_by",
                format!(
                    "the subject is a child below the age of digital consent ({} here, Art. 8(1)) until {from}: their own consent does not count; record the consent of a holder of parental responsibility with `\"given_by\": \"parental_responsibility\"`",
                    digital_consent_age(self.policy.controller.country.code)
                ),
            ));
        }
        let lang = match language {
            Some(code) => Lang::from_code(code)
                .filter(|l| self.policy.meta.languages.contains(l))
                .ok_or_else(|| {
                    invalid(
                        "language",
                        format!("`{code}` is not one of the policy's languages"),
                    )
                })?,
            None => self.policy.meta.default_language,
        };
        identifier("method", method)?;
        let notice_hash = self.notice_hashes.get(&lang).cloned().ok_or_else(|| {
            VaultError::Internal(format!("no notice was rendered in {}", lang.english_name()))
        })?;
        let record = ConsentRecord {
            id: fresh_id(),
            subject_id: subject.clone(),
            purpose: purpose.to_owned(),
            given_at: self.now(),
            withdrawn_at: None,
            policy_version: self.policy.meta.version.to_string(),
            method: method.to_owned(),
            notice_hash,
            language: lang,
            withdrawal_method: None,
            given_by,
        };
        let audit = self.act(
            actor,
            "consent.give",
            Some(subject),
            serde_json::json!({ "consent": record.id, "purpose": purpose, "policy_version": record.policy_version, "method": method, "given_by": given_by.as_str() }),
        );
        self.store.give_consent(&record, audit).await?;
        Ok(record)
    }

    /// Withdraws the consent in force for a purpose; not retroactive.
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        purpose: &str,
        method: &str,
    ) -> Result<ConsentRecord> {
        if !actor.may_use(purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not withdraw consent for purpose `{purpose}`"
            )));
        }
        self.subject_for(actor, subject).await?;
        // Every consent in force for the purpose ends: one withdrawal
        // undoes however many times it was given (Art. 7(3)).
        let mut in_force: Vec<ConsentRecord> = self
            .store
            .consents(subject)
            .await?
            .into_iter()
            .filter(|c| c.purpose == purpose && c.withdrawn_at.is_none())
            .collect();
        in_force.sort_by_key(|c| c.given_at);
        let newest = in_force
            .last()
            .cloned()
            .ok_or_else(|| VaultError::NotFound {
                what: "consent in force for purpose",
                id: purpose.to_owned(),
            })?;
        let at = self.now();
        for consent in &in_force {
            let audit = self.act(
                actor,
                "consent.withdraw",
                Some(subject),
                serde_json::json!({ "consent": consent.id, "purpose": purpose, "method": method }),
            );
            self.store
                .withdraw_consent(&consent.id, at, method, audit)
                .await?;
        }
        Ok(ConsentRecord {
            withdrawn_at: Some(at),
            withdrawal_method: Some(method.to_owned()),
            ..newest
        })
    }

    /// Every consent `subject` gave and withdrew, newest first: for the
    /// subject's own page.
    pub async fn own_consents(&self, subject: &SubjectId) -> Result<Vec<ConsentRecord>> {
        self.live_subject(subject).await?;
        let mut all = self.store.consents(subject).await?;
        all.sort_by_key(|c| std::cmp::Reverse(c.given_at));
        Ok(all)
    }

    /// The receipt of one of `subject`'s own consents; another's is not
    /// found.
    pub async fn own_consent_receipt(
        &self,
        subject: &SubjectId,
        id: &ConsentId,
    ) -> Result<ConsentReceipt> {
        let record = self
            .store
            .consent(id)
            .await?
            .filter(|record| &record.subject_id == subject)
            .ok_or_else(|| VaultError::NotFound {
                what: "consent",
                id: id.to_string(),
            })?;
        Ok(ConsentReceipt::new(
            &self.policy,
            &record,
            &self.pseudonym(&record.subject_id),
        ))
    }

    pub async fn consent_receipt(&self, actor: &Actor, id: &ConsentId) -> Result<ConsentReceipt> {
        let record = self
            .store
            .consent(id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "consent",
                id: id.to_string(),
            })?;
        if !actor.may_use(&record.purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not read consents for purpose `{}`",
                record.purpose
            )));
        }
        Ok(ConsentReceipt::new(
            &self.policy,
            &record,
            &self.pseudonym(&record.subject_id),
        ))
    }
}
