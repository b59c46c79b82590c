//! Subjects: created with their identities and a fresh data key, found by an
//! identity through its blind index, shown whole to an officer, erased by
//! destroying their key.

use steward_domain::common::ids::SubjectId;
use steward_domain::vault::actor::{Actor, Role};
use steward_domain::vault::identity::{Identity, Provenance};
use steward_store::{StoreError, StoredIdentity, Subject};

use crate::vault::error::{Result, VaultError, invalid};
use crate::vault::input::{
    IdentityInput, NewSubject, age_from_personnummer, check_age, parse_identity,
};
use crate::vault::key_ring::{self, identity_field};
use crate::vault::service::{Vault, fresh_id};
use crate::vault::views::{OpenedIdentity, WholeSubject};

impl Vault {
    /// Normalises an identity as the vault stores it (checks its format).
    pub fn identity(&self, input: &IdentityInput) -> Result<Identity> {
        parse_identity(&self.policy, input, self.today())
    }

    /// Creates a subject with its identities and a fresh data key.
    pub async fn create_subject(&self, actor: &Actor, input: NewSubject) -> Result<SubjectId> {
        if self.policy.subject_type(&input.subject_type).is_none() {
            let declared: Vec<&str> = self
                .policy
                .subject_types
                .iter()
                .map(|s| s.id.as_str())
                .collect();
            return Err(invalid(
                "subject_type",
                format!(
                    "`{}` is not declared in the policy; declared: {}",
                    input.subject_type,
                    declared.join(", ")
                ),
            ));
        }
        // The notice tells these people their data is not normally stored:
        // with no purpose for them, nothing is; with one, each write is
        // flagged in the audit log as the exception it is.
        if let Some(kind) = self.policy.subject_type(&input.subject_type)
            && !kind.data_normally_stored
            && !self
                .policy
                .purposes
                .iter()
                .any(|p| p.subjects.contains(&input.subject_type))
        {
            return Err(VaultError::Refused {
                code: "not_normally_stored",
                field: "subject_type",
                message: format!(
                    "the privacy notice tells {} that their personal data is not normally stored, and no purpose of the policy concerns them, so Steward keeps nothing about them",
                    kind.name
                        .get(steward_domain::common::lang::Lang::En)
                        .to_lowercase()
                ),
            });
        }
        if actor.role == Role::Service
            && !self
                .policy
                .purposes
                .iter()
                .any(|p| actor.may_use(&p.id) && p.subjects.contains(&input.subject_type))
        {
            return Err(VaultError::Forbidden(format!(
                "this token's purposes ({}) do not concern subjects of type `{}`",
                actor.purposes.join(", "),
                input.subject_type
            )));
        }
        if input.identities.is_empty() {
            return Err(invalid(
                "identities",
                "give at least one identity, e.g. {\"kind\": \"email\", \"value\": \"...\"}",
            ));
        }
        let identities: Vec<Identity> = input
            .identities
            .iter()
            .map(|i| self.identity(i))
            .collect::<Result<_>>()?;
        let own_consent_from = check_age(&self.policy, &input, &identities, self.today())?;
        let id: SubjectId = fresh_id();
        let (key, wrapped) = self.keys.new_data_key(&id);
        let stored: Vec<StoredIdentity> = identities
            .iter()
            .map(|i| self.seal_identity(&id, &key, i, Provenance::Creation))
            .collect();
        let subject = Subject {
            id: id.clone(),
            subject_type: input.subject_type.clone(),
            created_at: self.now(),
            erased_at: None,
            restricted: false,
            objects_to_marketing: false,
            own_consent_from,
        };
        let kinds: Vec<&str> = identities.iter().map(|i| i.kind.as_str()).collect();
        let audit = self.act(
            actor,
            "subject.create",
            Some(&id),
            serde_json::json!({
                "subject_type": input.subject_type,
                "identity_kinds": kinds,
                "not_normally_stored": !self.normally_stored(&input.subject_type),
            }),
        );
        self.store
            .create_subject(&subject, &wrapped, &stored, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict {
                    what: "identity", ..
                } => VaultError::Taken(
                    "one of these identities already belongs to another subject".into(),
                ),
                other => other.into(),
            })?;
        Ok(id)
    }

    /// Whether the notice tells subjects of this type that their data is
    /// stored as a rule (`data_normally_stored`): each write about those it
    /// tells otherwise is flagged in the audit log as the exception.
    pub(crate) fn normally_stored(&self, subject_type: &str) -> bool {
        self.policy
            .subject_type(subject_type)
            .is_none_or(|kind| kind.data_normally_stored)
    }

    fn seal_identity(
        &self,
        subject: &SubjectId,
        key: &steward_domain::vault::crypto::DataKey,
        identity: &Identity,
        provenance: Provenance,
    ) -> StoredIdentity {
        StoredIdentity {
            id: fresh_id(),
            subject_id: subject.clone(),
            kind: identity.kind.to_string(),
            blind_index: self
                .keys
                .blind_index(identity.kind.as_str(), &identity.value),
            value_sealed: key_ring::seal(
                key,
                subject,
                &identity_field(identity.kind.as_str()),
                identity.value.as_bytes(),
            ),
            created_at: self.now(),
            provenance,
        }
    }

    pub async fn add_identity(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        input: &IdentityInput,
    ) -> Result<()> {
        let live = self.subject_for(actor, subject).await?;
        // A service adds identities only to people it already holds data
        // about for its own purposes: anyone else's is an officer's to add.
        if actor.role == Role::Service {
            let holds = self
                .store
                .records(subject)
                .await?
                .iter()
                // A record kept after an erasure counts only for what keeps it.
                .any(|r| {
                    r.kept_for
                        .as_ref()
                        .unwrap_or(&r.purposes)
                        .iter()
                        .any(|p| actor.may_use(p))
                });
            if !holds {
                return Err(VaultError::Forbidden(
                    "a service adds identities only to subjects it holds data about for its purposes; a privacy officer adds others".into(),
                ));
            }
        }
        let key = self.key_of(&live).await?;
        let identity = self.identity(input)?;
        // An officer answers for what they add; a service's addition finds
        // the subject for it, but never unlocks a data-subject request.
        let provenance = if actor.role.is_officer() {
            Provenance::Officer
        } else {
            Provenance::Service
        };
        // A personnummer shows the age: a child's own consent day is kept.
        let own_consent_from = age_from_personnummer(&self.policy, &identity, self.today())?;
        let stored = self.seal_identity(subject, &key, &identity, provenance);
        let audit = self.act(
            actor,
            "identity.add",
            Some(subject),
            serde_json::json!({ "kind": identity.kind, "provenance": provenance.as_str() }),
        );
        self.store
            .add_identity(&stored, own_consent_from, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => VaultError::Taken(format!(
                    "this {} identity already belongs to a subject",
                    identity.kind
                )),
                other => other.into(),
            })
    }

    /// Finds a subject by one of its identities, without storing or logging the value.
    pub async fn find_subject(
        &self,
        actor: &Actor,
        input: &IdentityInput,
    ) -> Result<Option<SubjectId>> {
        let identity = self.identity(input)?;
        let mut found = self
            .subject_of_identity(input)
            .await?
            .map(|(subject, _)| subject);
        // A service finds only the subjects it may act on: for it, others
        // do not exist.
        if let Some(id) = &found
            && actor.role == Role::Service
            && !self.concerns(actor, &self.live_subject(id).await?)
        {
            found = None;
        }
        let audit = self.act(
            actor,
            "subject.lookup",
            found.as_ref(),
            serde_json::json!({ "kind": identity.kind, "found": found.is_some() }),
        );
        self.audit.append(audit).await?;
        Ok(found)
    }

    /// The live subject an identity belongs to, and how the identity came
    /// to it, unaudited: for the rights service, whose audited step names
    /// the subject the request reached (one entry and one commit, not two).
    pub(crate) async fn subject_of_identity(
        &self,
        input: &IdentityInput,
    ) -> Result<Option<(SubjectId, Provenance)>> {
        let identity = self.identity(input)?;
        let index = self
            .keys
            .blind_index(identity.kind.as_str(), &identity.value);
        let found = self
            .store
            .subject_by_identity(identity.kind.as_str(), &index)
            .await?;
        Ok(found
            .filter(|h| h.subject.erased_at.is_none())
            .map(|h| (h.subject.id, h.provenance)))
    }

    /// The live subject, if `actor` may act on it: a service only on
    /// subjects of a type one of its purposes concerns (a bookkeeping token
    /// has no business with a website visitor).
    pub(crate) async fn subject_for(&self, actor: &Actor, id: &SubjectId) -> Result<Subject> {
        let subject = self.live_subject(id).await?;
        if !self.concerns(actor, &subject) {
            return Err(VaultError::Forbidden(format!(
                "this token's purposes ({}) do not concern subjects of type `{}`",
                actor.purposes.join(", "),
                subject.subject_type
            )));
        }
        Ok(subject)
    }

    /// Whether one of a service's purposes concerns `subject`'s type; any
    /// other role may act on any subject.
    pub(super) fn concerns(&self, actor: &Actor, subject: &Subject) -> bool {
        actor.role != Role::Service
            || self
                .policy
                .purposes
                .iter()
                .any(|p| actor.may_use(&p.id) && p.subjects.contains(&subject.subject_type))
    }

    /// The subject, if it exists and is not erased.
    pub(crate) async fn live_subject(&self, id: &SubjectId) -> Result<Subject> {
        let subject = self
            .store
            .subject(id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "subject",
                id: id.to_string(),
            })?;
        if subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject.id.to_string()));
        }
        Ok(subject)
    }

    /// Crypto-shredding: the subject's data key is destroyed, then its data.
    pub async fn erase(&self, actor: &Actor, subject: &SubjectId) -> Result<()> {
        self.live_subject(subject).await?;
        let audit = self.act(
            actor,
            "subject.erase",
            Some(subject),
            serde_json::json!({ "method": "crypto-shredding" }),
        );
        Ok(self.store.erase_subject(subject, self.now(), audit).await?)
    }

    /// Everything held about a subject, decrypted; the view is audited.
    /// The e-mail addresses and phone numbers a subject was created with or
    /// an officer added: where to tell them of something, unaudited (the
    /// letter's own act is audited by its caller).
    pub(crate) async fn proven_addresses(&self, id: &SubjectId) -> Result<Vec<(String, String)>> {
        let file = self
            .store
            .subject_file(id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "subject",
                id: id.to_string(),
            })?;
        let key = self.key_of(&file.subject).await?;
        let mut addresses = Vec::new();
        for identity in &file.identities {
            if !identity.provenance.unlocks_requests()
                || !["email", "phone"].contains(&identity.kind.as_str())
            {
                continue;
            }
            let value = key_ring::open(
                &key,
                id,
                &identity_field(&identity.kind),
                &identity.value_sealed,
            )?;
            if let Ok(value) = String::from_utf8(value) {
                addresses.push((identity.kind.clone(), value));
            }
        }
        Ok(addresses)
    }

    pub async fn subject_view(&self, actor: &Actor, id: &SubjectId) -> Result<WholeSubject> {
        let file = self
            .store
            .subject_file(id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "subject",
                id: id.to_string(),
            })?;
        let mut identities = Vec::new();
        let mut records = Vec::new();
        if file.subject.erased_at.is_none() {
            let wrapped = file
                .key
                .as_ref()
                .ok_or_else(|| VaultError::Erased(id.to_string()))?;
            let key = self.keys.data_key(id, wrapped)?;
            for identity in &file.identities {
                let value = key_ring::open(
                    &key,
                    id,
                    &identity_field(&identity.kind),
                    &identity.value_sealed,
                )?;
                let value = String::from_utf8(value).map_err(|_| {
                    crate::vault::error::corrupt(format!(
                        "identity {} of subject {id} is not text",
                        identity.id
                    ))
                })?;
                identities.push(OpenedIdentity {
                    kind: identity.kind.clone(),
                    value,
                    provenance: identity.provenance,
                });
            }
            for record in &file.records {
                records.push(self.open_record(&key, record)?);
            }
        }
        let audit = self.act(actor, "subject.view", Some(id), serde_json::json!({}));
        self.audit.append(audit).await?;
        Ok(WholeSubject {
            subject: file.subject,
            identities,
            records,
            consents: file.consents,
            events: file.events,
            objections: file.objections,
        })
    }
}
