//! The vault: the one place where personal data is stored and read. It
//! checks every write against the policy, seals values with the subject's
//! data key, decides every read by purpose and legal basis, and records every
//! act in the audit log, in the same transaction as the change.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;
use steward_domain::common::lang::Lang;
use steward_domain::policy::{Event, Policy, Version};
use steward_domain::vault::audit_chain::{self, AuditEvent, Tamper, Verified};
use steward_domain::vault::consent::{ConsentReceipt, ConsentRecord};
use steward_domain::vault::crypto::{
    BlindIndexKey, CryptoError, DataKey, FieldContext, KeyEncryptionKey, PseudonymKey, SecretKey,
    sha256_hex,
};
use steward_domain::vault::decision::{ConsentWindow, DecisionTable, SubjectState, Window};
use steward_domain::vault::identity::{Identity, IdentityError, IdentityKind, Personnummer};
use steward_store::{
    KeyName, Objection, Repository, StoreError, StoredEvent, StoredIdentity, StoredRecord,
    StoredToken, Subject, SubjectFlags, WrappedKey,
};

use crate::audit_writer::AuditWriter;
use crate::auth::{Actor, Role};
use crate::clock::Clock;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Bad input: names the field and what is wrong with it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{what} `{id}` already exists")]
    Conflict { what: &'static str, id: String },
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked cannot be done in the state it is in (409).
    #[error("{0}")]
    NotNow(String),
    #[error("subject `{0}` has been erased")]
    Erased(String),
    #[error(
        "the key-encryption key does not match this database: it was created with key `{expected}`, this is key `{given}`. Use the original key file, or `steward keys rotate` from it."
    )]
    WrongKey { expected: String, given: String },
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("stored data cannot be decrypted: {0}")]
    Crypto(#[from] CryptoError),
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

/// What the store reports about the caller's request stays that (404, 409,
/// 410); anything else is the store's own failure.
impl From<StoreError> for VaultError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Erased(id) => VaultError::Erased(id),
            StoreError::NotFound { what, id } => VaultError::NotFound { what, id },
            StoreError::Conflict { what, id } => VaultError::Conflict { what, id },
            other => VaultError::Store(other),
        }
    }
}

/// A short identifier such as `web_form`: what the audit log may hold
/// without any risk of personal data in free text.
fn identifier(field: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            "use a short identifier of lower-case letters, digits and `_`, e.g. `web_form`",
        ))
    }
}

/// Free text (reasons, descriptions): any characters but control characters.
fn plain_text(field: &str, value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "control characters are not allowed"));
    }
    Ok(())
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> VaultError {
    VaultError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct IdentityInput {
    /// `email`, `phone`, `personnummer`, `customer_id`, or a kind of your own.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// A subject type the policy declares, e.g. `customer`.
    pub subject_type: String,
    /// `YYYY-MM-DD`; needed (or `age`, or a personnummer) when the policy sets a minimum age.
    pub birth_date: Option<String>,
    pub age: Option<u32>,
    pub identities: Vec<IdentityInput>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// A leaf category the policy declares, e.g. `contact.email`.
    pub category: String,
    /// Any JSON value.
    pub value: serde_json::Value,
    /// A source the policy declares; `subject` (the default) when given by the subject.
    pub source: Option<String>,
    /// The purposes the data is collected for; each must use this category.
    pub purposes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub id: String,
    pub category: String,
    pub value: serde_json::Value,
    pub source: String,
    pub purposes: Vec<String>,
    pub collected_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Refusal {
    pub record_id: String,
    pub category: String,
    /// Machine-readable: `consent_withdrawn`, `objected`, `restricted`, ...
    pub reason: String,
}

/// The answer to a purpose-bound read: what may be used, and what was held back and why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadOutcome {
    pub subject_id: String,
    pub purpose: String,
    pub records: Vec<RecordView>,
    pub refused: Vec<Refusal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IdentityView {
    pub kind: String,
    pub value: String,
}

/// Everything held about a subject, for the privacy officer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubjectView {
    pub id: String,
    pub subject_type: String,
    pub created_at: String,
    pub erased_at: Option<String>,
    pub restricted: bool,
    pub objects_to_direct_marketing: bool,
    pub identities: Vec<IdentityView>,
    pub records: Vec<RecordView>,
    #[schema(value_type = Vec<Object>)]
    pub consents: Vec<ConsentRecord>,
    pub events: Vec<EventView>,
    pub objections: Vec<ObjectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub kind: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ObjectionView {
    pub purpose: String,
    pub at: String,
    pub compelling_grounds: Option<String>,
}

pub struct Vault {
    store: Arc<dyn Repository>,
    /// Appends for acts that change nothing else, committed in groups.
    audit: AuditWriter,
    policy: Arc<Policy>,
    table: DecisionTable,
    kek: KeyEncryptionKey,
    index_key: BlindIndexKey,
    pseudonym_key: PseudonymKey,
    /// Seals what requests carry: claimed identities, new values, answers.
    requests_key: DataKey,
    clock: Arc<dyn Clock>,
    notice_hashes: HashMap<Lang, String>,
}

const KEY_VERSION: u32 = 1;

impl Vault {
    /// Opens the vault on a store: loads (or, the first time, creates) the
    /// installation's blind-index and pseudonym keys under `kek`.
    pub async fn open(
        store: Arc<dyn Repository>,
        policy: Arc<Policy>,
        kek: KeyEncryptionKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let index_key = BlindIndexKey::new(system_key(store.as_ref(), &kek, "blind_index").await?);
        let pseudonym_key = PseudonymKey::new(system_key(store.as_ref(), &kek, "pseudonym").await?);
        let requests_key =
            DataKey::from_secret(system_key(store.as_ref(), &kek, "requests").await?);
        let notice_hashes = policy
            .meta
            .languages
            .iter()
            .map(|lang| {
                let text =
                    steward_domain::publish::notice::markdown(&policy, *lang).unwrap_or_default();
                (*lang, sha256_hex(&[text.as_bytes()]))
            })
            .collect();
        Ok(Self {
            table: DecisionTable::compile(&policy),
            audit: AuditWriter::spawn(Arc::clone(&store)),
            store,
            policy,
            kek,
            index_key,
            pseudonym_key,
            requests_key,
            clock,
            notice_hashes,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &dyn Repository {
        self.store.as_ref()
    }

    /// Whether the vault can serve: the audit writer is running.
    pub fn is_healthy(&self) -> bool {
        self.audit.is_running()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn event(
        &self,
        actor: &Actor,
        action: &str,
        subject: Option<&str>,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now().to_string(),
            actor: actor.id.clone(),
            action: action.to_owned(),
            subject: subject.map(|id| self.pseudonym_key.pseudonym(id)),
            detail,
        }
    }

    fn identity(&self, input: &IdentityInput) -> Result<Identity> {
        let kind = IdentityKind::parse(input.kind.trim());
        if let IdentityKind::Custom(custom) = &kind
            && !self.policy.meta.identity_kinds.contains(custom)
        {
            return Err(invalid(
                "identities.kind",
                format!(
                    "`{custom}` is not an identity kind: use email, phone, personnummer, customer_id, or declare it in [policy] identity_kinds"
                ),
            ));
        }
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        Identity::new(kind, &input.value, today).map_err(|e: IdentityError| {
            invalid(format!("identities.{}", input.kind), e.to_string())
        })
    }

    fn data_key(&self, subject_id: &str, wrapped: &WrappedKey) -> Result<DataKey> {
        Ok(DataKey::from_secret(
            self.kek
                .unwrap(&wrapped.wrapped, &subject_context(subject_id))?,
        ))
    }

    async fn key_of(&self, subject: &Subject) -> Result<DataKey> {
        if subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject.id.clone()));
        }
        let wrapped = self
            .store
            .subject_key(&subject.id)
            .await?
            .ok_or_else(|| VaultError::Erased(subject.id.clone()))?;
        self.data_key(&subject.id, &wrapped)
    }

    async fn live_subject(&self, subject_id: &str) -> Result<Subject> {
        let subject =
            self.store
                .subject(subject_id)
                .await?
                .ok_or_else(|| VaultError::NotFound {
                    what: "subject",
                    id: subject_id.to_owned(),
                })?;
        if subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject.id));
        }
        Ok(subject)
    }

    fn require(&self, actor: &Actor, roles: &[Role]) -> Result<()> {
        if roles.contains(&actor.role) {
            Ok(())
        } else {
            Err(VaultError::Forbidden(format!(
                "the {} role may not do this",
                actor.role.as_str()
            )))
        }
    }

    /// Creates a subject with its identities and a fresh data key.
    pub async fn create_subject(&self, actor: &Actor, input: NewSubject) -> Result<String> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
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
        // The birth date only proves the minimum age; it is never stored.
        self.check_age(&input, &identities)?;
        let id = uuid::Uuid::now_v7().to_string();
        let key = DataKey::generate();
        let now = self.now().to_string();
        let stored: Vec<StoredIdentity> = identities
            .iter()
            .map(|i| self.seal_identity(&id, &key, i, &now))
            .collect();
        let wrapped = WrappedKey {
            wrapped: self.kek.wrap(key.secret(), &subject_context(&id)),
            kek_id: self.kek.id().to_owned(),
            version: i64::from(KEY_VERSION),
        };
        let subject = Subject {
            id: id.clone(),
            subject_type: input.subject_type.clone(),
            birth_date: None,
            created_at: now,
            erased_at: None,
            restricted: false,
            objects_to_marketing: false,
        };
        let kinds: Vec<&str> = identities.iter().map(|i| i.kind.as_str()).collect();
        let audit = self.event(
            actor,
            "subject.create",
            Some(&id),
            serde_json::json!({ "subject_type": input.subject_type, "identity_kinds": kinds }),
        );
        self.store
            .create_subject(&subject, &wrapped, &stored, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict {
                    what: "identity", ..
                } => VaultError::Conflict {
                    what: "identity",
                    id: "one of these identities already belongs to another subject".into(),
                },
                other => other.into(),
            })?;
        Ok(id)
    }

    /// The policy's minimum age, if it sets one, must be shown to be met.
    fn check_age(&self, input: &NewSubject, identities: &[Identity]) -> Result<()> {
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let from_personnummer = identities
            .iter()
            .find(|i| i.kind == IdentityKind::Personnummer)
            .and_then(|i| Personnummer::parse(&i.value, today).ok())
            .map(|p| p.birth_date);
        let birth_date =
            match &input.birth_date {
                Some(text) => Some(text.parse::<jiff::civil::Date>().map_err(|_| {
                    invalid("birth_date", "not a date; write YYYY-MM-DD".to_owned())
                })?),
                None => from_personnummer,
            };
        let Some(minimum) = self.policy.controller.minimum_age else {
            return Ok(());
        };
        let age = match (birth_date, input.age) {
            (Some(born), _) => (today - born)
                .total((jiff::Unit::Year, today))
                .map(|years| years.floor() as i64)
                .unwrap_or(0),
            (None, Some(age)) => i64::from(age),
            (None, None) => {
                return Err(invalid(
                    "birth_date",
                    format!(
                        "this policy serves only persons aged {minimum} or over: give `birth_date` or `age`"
                    ),
                ));
            }
        };
        if age < i64::from(minimum) {
            return Err(invalid(
                "birth_date",
                format!("the subject is {age}, under this policy's minimum age of {minimum}"),
            ));
        }
        Ok(())
    }

    fn seal_identity(
        &self,
        subject_id: &str,
        key: &DataKey,
        identity: &Identity,
        now: &str,
    ) -> StoredIdentity {
        let field = format!("identity:{}", identity.kind);
        StoredIdentity {
            id: uuid::Uuid::now_v7().to_string(),
            subject_id: subject_id.to_owned(),
            kind: identity.kind.to_string(),
            blind_index: self
                .index_key
                .index(identity.kind.as_str(), &identity.value),
            value_sealed: key.seal(
                identity.value.as_bytes(),
                FieldContext {
                    subject: subject_id,
                    field: &field,
                    key_version: KEY_VERSION,
                },
            ),
            created_at: now.to_owned(),
        }
    }

    pub async fn add_identity(
        &self,
        actor: &Actor,
        subject_id: &str,
        input: &IdentityInput,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let subject = self.live_subject(subject_id).await?;
        let key = self.key_of(&subject).await?;
        let identity = self.identity(input)?;
        let stored = self.seal_identity(subject_id, &key, &identity, &self.now().to_string());
        let audit = self.event(
            actor,
            "identity.add",
            Some(subject_id),
            serde_json::json!({ "kind": identity.kind }),
        );
        self.store
            .add_identity(&stored, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => VaultError::Conflict {
                    what: "identity",
                    id: format!("{} already belongs to a subject", identity.kind),
                },
                other => other.into(),
            })
    }

    /// Finds a subject by one of its identities, without storing or logging the value.
    pub async fn find_subject(
        &self,
        actor: &Actor,
        input: &IdentityInput,
    ) -> Result<Option<String>> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let identity = self.identity(input)?;
        let found = self.subject_of_identity(input).await?;
        let audit = self.event(
            actor,
            "subject.lookup",
            found.as_deref(),
            serde_json::json!({ "kind": identity.kind, "found": found.is_some() }),
        );
        self.audit.append(audit).await?;
        Ok(found)
    }

    /// Appends an entry to the audit log (through the group-committing writer).
    pub(crate) async fn append_audit(&self, event: AuditEvent) -> Result<()> {
        self.audit.append(event).await?;
        Ok(())
    }

    /// The live subject an identity belongs to, unaudited: for the request
    /// service, whose audited step names the subject the request reached (one
    /// entry and one commit, not two).
    pub(crate) async fn subject_of_identity(
        &self,
        input: &IdentityInput,
    ) -> Result<Option<String>> {
        let identity = self.identity(input)?;
        let index = self
            .index_key
            .index(identity.kind.as_str(), &identity.value);
        let found = self
            .store
            .subject_by_identity(identity.kind.as_str(), &index)
            .await?;
        Ok(found.filter(|s| s.erased_at.is_none()).map(|s| s.id))
    }

    /// Stores a value for the purposes it was collected for, after checking
    /// that the policy allows this category for each of them and this subject.
    pub async fn write_record(
        &self,
        actor: &Actor,
        subject_id: &str,
        input: NewRecord,
    ) -> Result<String> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let subject = self.live_subject(subject_id).await?;
        if self.table.category(&input.category).is_none() {
            let hint = match self.policy.category(&input.category) {
                Some(_) => "it has sub-categories: store data under the most specific one, e.g. `contact.email`".to_owned(),
                None => "it is not declared in the policy".to_owned(),
            };
            return Err(invalid("category", format!("`{}`: {hint}", input.category)));
        }
        if input.purposes.is_empty() {
            return Err(invalid(
                "purposes",
                "name the purposes the data is collected for",
            ));
        }
        for purpose_id in &input.purposes {
            let purpose = self.policy.purpose(purpose_id).ok_or_else(|| {
                invalid(
                    "purposes",
                    format!("`{purpose_id}` is not a purpose of the policy"),
                )
            })?;
            if !actor.may_use(purpose_id) {
                return Err(VaultError::Forbidden(format!(
                    "this token may not store data for purpose `{purpose_id}`"
                )));
            }
            let allowed = self.policy.expand_categories(&purpose.categories);
            if !allowed.iter().any(|c| c.id == input.category) {
                return Err(invalid(
                    "purposes",
                    format!(
                        "purpose `{purpose_id}` does not use `{}` in the policy, so it may not be collected for it",
                        input.category
                    ),
                ));
            }
            if !purpose.subjects.contains(&subject.subject_type) {
                return Err(invalid(
                    "purposes",
                    format!(
                        "purpose `{purpose_id}` does not concern subjects of type `{}`",
                        subject.subject_type
                    ),
                ));
            }
        }
        let source = input.source.clone().unwrap_or_else(|| "subject".to_owned());
        if source != "subject" && self.policy.source(&source).is_none() {
            return Err(invalid(
                "source",
                format!("`{source}` is not a source the policy declares (or `subject`)"),
            ));
        }
        let key = self.key_of(&subject).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = self.now().to_string();
        let plaintext = input.value.to_string();
        let field = record_field(&id, &input.category, &input.purposes);
        let record = StoredRecord {
            value_sealed: key.seal(
                plaintext.as_bytes(),
                FieldContext {
                    subject: subject_id,
                    field: &field,
                    key_version: KEY_VERSION,
                },
            ),
            id: id.clone(),
            subject_id: subject_id.to_owned(),
            category: input.category.clone(),
            source,
            purposes: input.purposes.clone(),
            collected_at: now.clone(),
            updated_at: now,
        };
        let audit = self.event(
            actor,
            "record.write",
            Some(subject_id),
            serde_json::json!({ "record": id, "category": input.category, "purposes": input.purposes }),
        );
        self.store.write_record(&record, audit).await?;
        Ok(id)
    }

    fn open_record(&self, key: &DataKey, record: &StoredRecord) -> Result<RecordView> {
        let field = record_field(&record.id, &record.category, &record.purposes);
        let bytes = key.open(
            &record.value_sealed,
            FieldContext {
                subject: &record.subject_id,
                field: &field,
                key_version: KEY_VERSION,
            },
        )?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            VaultError::Store(StoreError::Corrupt(format!("record {}: {e}", record.id)))
        })?;
        Ok(RecordView {
            id: record.id.clone(),
            category: record.category.clone(),
            value,
            source: record.source.clone(),
            purposes: record.purposes.clone(),
            collected_at: record.collected_at.clone(),
        })
    }

    /// What the subject's state is, as the decision needs it.
    async fn state(&self, subject: &Subject) -> Result<SubjectState> {
        let mut state = SubjectState {
            subject_type: self.table.subject_type(&subject.subject_type),
            restricted: subject.restricted,
            objects_to_direct_marketing: subject.objects_to_marketing,
            ..SubjectState::default()
        };
        for consent in self.store.consents(&subject.id).await? {
            let Some(ix) = self.table.purpose(&consent.purpose) else {
                continue;
            };
            let window = ConsentWindow {
                given_at: seconds(&consent.given_at),
                withdrawn_at: consent.withdrawn_at.as_deref().map(seconds),
                policy_version: Version::parse(&consent.policy_version).unwrap_or(Version(vec![0])),
            };
            // The latest consent for a purpose is the one in force.
            if state
                .consent_for(ix)
                .is_none_or(|c| c.given_at <= window.given_at)
            {
                state.set_consent(ix, window);
            }
        }
        let events = self.store.events(&subject.id).await?;
        state.relationship = window(&events, Event::RelationshipStart, Event::RelationshipEnd);
        state.contract = window(&events, Event::ContractStart, Event::ContractEnd);
        for objection in self.store.objections(&subject.id).await? {
            if let Some(ix) = self.table.purpose(&objection.purpose) {
                state.objections.insert(ix.0);
                if objection.compelling_grounds.is_some() {
                    state.compelling_grounds.insert(ix.0);
                }
            }
        }
        Ok(state)
    }

    /// A purpose-bound read: only the records collected for `purpose`, of
    /// categories the purpose uses, while its legal basis holds right now.
    pub async fn read(
        &self,
        actor: &Actor,
        subject_id: &str,
        purpose: &str,
    ) -> Result<ReadOutcome> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let purpose_ix = self.table.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy"),
            )
        })?;
        if !actor.may_use(purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not read data for purpose `{purpose}`"
            )));
        }
        let subject = self.live_subject(subject_id).await?;
        let state = self.state(&subject).await?;
        let now = self.now().as_second();
        let mut key = None;
        let mut outcome = ReadOutcome {
            subject_id: subject_id.to_owned(),
            purpose: purpose.to_owned(),
            records: Vec::new(),
            refused: Vec::new(),
        };
        for record in self.store.records(subject_id).await? {
            // Data of categories the purpose does not use is not this read's
            // business: it is neither returned nor mentioned.
            let Some(category) = self
                .table
                .category(&record.category)
                .filter(|c| self.table.uses(purpose_ix, *c))
            else {
                continue;
            };
            let reason = if !record.purposes.iter().any(|p| p == purpose) {
                Err("not_collected_for_purpose")
            } else {
                let decision = self.table.decide(&state, purpose_ix, category, now);
                if decision.allowed {
                    Ok(decision.reason)
                } else {
                    Err(decision.reason.code())
                }
            };
            match reason {
                Ok(_) => {
                    if key.is_none() {
                        key = Some(self.key_of(&subject).await?);
                    }
                    if let Some(key) = &key {
                        outcome.records.push(self.open_record(key, &record)?);
                    }
                }
                Err(reason) => outcome.refused.push(Refusal {
                    record_id: record.id,
                    category: record.category,
                    reason: reason.to_owned(),
                }),
            }
        }
        let allowed: Vec<&str> = outcome
            .records
            .iter()
            .map(|r| r.category.as_str())
            .collect();
        let refused: Vec<serde_json::Value> = outcome
            .refused
            .iter()
            .map(|r| serde_json::json!({ "category": r.category, "reason": r.reason }))
            .collect();
        let audit = self.event(
            actor,
            "read",
            Some(subject_id),
            serde_json::json!({ "purpose": purpose, "allowed": allowed, "refused": refused }),
        );
        self.audit.append(audit).await?;
        Ok(outcome)
    }

    /// Records a relationship event: `relationship_start`, `contract_end`, ...
    pub async fn record_event(
        &self,
        actor: &Actor,
        subject_id: &str,
        kind: &str,
        at: Option<&str>,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let event: Event = serde_json::from_value(serde_json::Value::from(kind)).map_err(|_| {
            let kinds: Vec<String> = Event::ALL
                .iter()
                .map(|e| {
                    serde_json::to_value(e)
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect();
            invalid(
                "kind",
                format!("`{kind}` is not an event; use one of {}", kinds.join(", ")),
            )
        })?;
        // Contract and relationship events create a legal basis for every
        // contract purpose: only officers, or services holding one, may post them.
        let grants_basis = matches!(event, Event::RelationshipStart | Event::ContractStart);
        if grants_basis && actor.role == Role::Service {
            let holds_contract_purpose = self.policy.purposes.iter().any(|p| {
                p.legal_basis == Some(steward_domain::policy::LegalBasis::Contract)
                    && actor.may_use(&p.id)
            });
            if !holds_contract_purpose {
                return Err(VaultError::Forbidden(format!(
                    "`{kind}` creates a contract basis; this token holds no contract purpose"
                )));
            }
        }
        self.live_subject(subject_id).await?;
        let now = self.now();
        let at = match at {
            Some(text) => text
                .parse::<Timestamp>()
                .map_err(|_| invalid("at", "not an RFC 3339 time such as 2026-05-01T12:00:00Z"))?,
            None => now,
        };
        // Events are facts that happened: none from the future (a minute of clock skew allowed).
        if at
            > now
                .checked_add(jiff::SignedDuration::from_secs(60))
                .unwrap_or(now)
        {
            return Err(invalid("at", "an event cannot be in the future"));
        }
        let stored = StoredEvent {
            id: uuid::Uuid::now_v7().to_string(),
            subject_id: subject_id.to_owned(),
            kind: kind.to_owned(),
            at: at.to_string(),
        };
        let audit = self.event(
            actor,
            "event.add",
            Some(subject_id),
            serde_json::json!({ "kind": event, "at": stored.at }),
        );
        self.store.add_event(&stored, audit).await?;
        Ok(())
    }

    /// Records consent to a consent-based purpose, with the notice version
    /// and text hash the subject was shown.
    pub async fn give_consent(
        &self,
        actor: &Actor,
        subject_id: &str,
        purpose: &str,
        method: &str,
        language: Option<&str>,
    ) -> Result<ConsentRecord> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        let found = self.policy.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy"),
            )
        })?;
        if found.legal_basis != Some(steward_domain::policy::LegalBasis::Consent) {
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
        self.live_subject(subject_id).await?;
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
        let record = ConsentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            subject_id: subject_id.to_owned(),
            purpose: purpose.to_owned(),
            given_at: self.now().to_string(),
            withdrawn_at: None,
            policy_version: self.policy.meta.version.to_string(),
            method: method.to_owned(),
            notice_hash: self.notice_hashes.get(&lang).cloned().unwrap_or_default(),
            language: lang.code().to_owned(),
            withdrawal_method: None,
        };
        let audit = self.event(actor, "consent.give", Some(subject_id), serde_json::json!({ "consent": record.id, "purpose": purpose, "policy_version": record.policy_version, "method": method }));
        self.store.give_consent(&record, audit).await?;
        Ok(record)
    }

    /// Withdraws the consent in force for a purpose; not retroactive.
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        subject_id: &str,
        purpose: &str,
        method: &str,
    ) -> Result<ConsentRecord> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        if !actor.may_use(purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not withdraw consent for purpose `{purpose}`"
            )));
        }
        self.live_subject(subject_id).await?;
        let in_force = self
            .store
            .consents(subject_id)
            .await?
            .into_iter()
            .filter(|c| c.purpose == purpose && c.withdrawn_at.is_none())
            .max_by_key(|c| seconds(&c.given_at))
            .ok_or_else(|| VaultError::NotFound {
                what: "consent in force for purpose",
                id: purpose.to_owned(),
            })?;
        let at = self.now().to_string();
        let audit = self.event(
            actor,
            "consent.withdraw",
            Some(subject_id),
            serde_json::json!({ "consent": in_force.id, "purpose": purpose, "method": method }),
        );
        self.store
            .withdraw_consent(&in_force.id, &at, method, audit)
            .await?;
        Ok(ConsentRecord {
            withdrawn_at: Some(at),
            withdrawal_method: Some(method.to_owned()),
            ..in_force
        })
    }

    pub async fn consent_receipt(&self, actor: &Actor, consent_id: &str) -> Result<ConsentReceipt> {
        self.require(
            actor,
            &[
                Role::Admin,
                Role::PrivacyOfficer,
                Role::Service,
                Role::Auditor,
            ],
        )?;
        let record = self
            .store
            .consent(consent_id)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "consent",
                id: consent_id.to_owned(),
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
            &self.pseudonym_key.pseudonym(&record.subject_id),
        ))
    }

    /// Art. 21: an objection to one purpose, or to direct marketing (absolute).
    pub async fn object(
        &self,
        actor: &Actor,
        subject_id: &str,
        purpose: &str,
        compelling_grounds: Option<String>,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Service])?;
        // A service records objections only for its own purposes; to direct
        // marketing as a whole only if it runs some.
        let allowed = if purpose == "direct_marketing" {
            self.policy
                .purposes
                .iter()
                .any(|p| p.direct_marketing && actor.may_use(&p.id))
        } else {
            actor.may_use(purpose)
        };
        if !allowed {
            return Err(VaultError::Forbidden(format!(
                "this token may not record objections to `{purpose}`"
            )));
        }
        self.live_subject(subject_id).await?;
        if purpose == "direct_marketing" {
            let audit = self.event(
                actor,
                "objection.direct_marketing",
                Some(subject_id),
                serde_json::json!({}),
            );
            return Ok(self
                .store
                .set_flags(
                    subject_id,
                    SubjectFlags {
                        objects_to_marketing: Some(true),
                        restricted: None,
                    },
                    audit,
                )
                .await?);
        }
        let found = self.policy.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy (or `direct_marketing`)"),
            )
        })?;
        if compelling_grounds.is_some()
            && actor.role != Role::PrivacyOfficer
            && actor.role != Role::Admin
        {
            return Err(VaultError::Forbidden(
                "only a privacy officer may record compelling grounds".into(),
            ));
        }
        if let Some(grounds) = &compelling_grounds {
            plain_text("compelling_grounds", grounds)?;
        }
        if compelling_grounds.is_some() && found.direct_marketing {
            return Err(invalid(
                "compelling_grounds",
                "an objection to direct marketing is absolute: no grounds override it",
            ));
        }
        let objection = Objection {
            subject_id: subject_id.to_owned(),
            purpose: purpose.to_owned(),
            at: self.now().to_string(),
            compelling_grounds: compelling_grounds.clone(),
        };
        let audit = self.event(actor, "objection", Some(subject_id), serde_json::json!({ "purpose": purpose, "compelling_grounds_recorded": compelling_grounds.is_some() }));
        Ok(self.store.set_objection(&objection, audit).await?)
    }

    /// Art. 18: restrict processing to storage, or lift the restriction.
    pub async fn restrict(&self, actor: &Actor, subject_id: &str, restricted: bool) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer])?;
        self.live_subject(subject_id).await?;
        let action = if restricted {
            "restriction.set"
        } else {
            "restriction.lift"
        };
        let audit = self.event(actor, action, Some(subject_id), serde_json::json!({}));
        Ok(self
            .store
            .set_flags(
                subject_id,
                SubjectFlags {
                    restricted: Some(restricted),
                    objects_to_marketing: None,
                },
                audit,
            )
            .await?)
    }

    /// Crypto-shredding: the subject's data key is destroyed, then its data.
    pub async fn erase(&self, actor: &Actor, subject_id: &str) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer])?;
        self.live_subject(subject_id).await?;
        let audit = self.event(
            actor,
            "subject.erase",
            Some(subject_id),
            serde_json::json!({ "method": "crypto-shredding" }),
        );
        Ok(self
            .store
            .erase_subject(subject_id, &self.now().to_string(), audit)
            .await?)
    }

    /// Everything held about a subject, decrypted, for the privacy officer.
    pub async fn subject_view(&self, actor: &Actor, subject_id: &str) -> Result<SubjectView> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer])?;
        let subject =
            self.store
                .subject(subject_id)
                .await?
                .ok_or_else(|| VaultError::NotFound {
                    what: "subject",
                    id: subject_id.to_owned(),
                })?;
        let mut view = SubjectView {
            id: subject.id.clone(),
            subject_type: subject.subject_type.clone(),
            created_at: subject.created_at.clone(),
            erased_at: subject.erased_at.clone(),
            restricted: subject.restricted,
            objects_to_direct_marketing: subject.objects_to_marketing,
            identities: Vec::new(),
            records: Vec::new(),
            consents: self.store.consents(subject_id).await?,
            events: self
                .store
                .events(subject_id)
                .await?
                .into_iter()
                .map(|e| EventView {
                    kind: e.kind,
                    at: e.at,
                })
                .collect(),
            objections: self
                .store
                .objections(subject_id)
                .await?
                .into_iter()
                .map(|o| ObjectionView {
                    purpose: o.purpose,
                    at: o.at,
                    compelling_grounds: o.compelling_grounds,
                })
                .collect(),
        };
        if subject.erased_at.is_none() {
            let key = self.key_of(&subject).await?;
            for identity in self.store.identities(subject_id).await? {
                let field = format!("identity:{}", identity.kind);
                let value = key.open(
                    &identity.value_sealed,
                    FieldContext {
                        subject: subject_id,
                        field: &field,
                        key_version: KEY_VERSION,
                    },
                )?;
                view.identities.push(IdentityView {
                    kind: identity.kind,
                    value: String::from_utf8_lossy(&value).into_owned(),
                });
            }
            for record in self.store.records(subject_id).await? {
                view.records.push(self.open_record(&key, &record)?);
            }
        }
        let audit = self.event(
            actor,
            "subject.view",
            Some(subject_id),
            serde_json::json!({}),
        );
        self.audit.append(audit).await?;
        Ok(view)
    }

    /// Checks the whole audit chain.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<Result<Verified, Tamper>> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer, Role::Auditor])?;
        let (entries, head) = self.store.audit_log().await?;
        Ok(audit_chain::verify(&entries, Some(head)))
    }

    /// Creates an API token; the secret is returned once and never stored.
    pub async fn create_token(
        &self,
        actor: &Actor,
        role: Role,
        purposes: Vec<String>,
        description: &str,
    ) -> Result<(StoredToken, String)> {
        self.require(actor, &[Role::Admin])?;
        plain_text("description", description)?;
        match (role, purposes.is_empty()) {
            (Role::Service, true) => {
                return Err(invalid(
                    "purposes",
                    "a service token needs the purposes it may use (--purpose)",
                ));
            }
            (Role::Service, false) => {
                for purpose in &purposes {
                    if self.policy.purpose(purpose).is_none() {
                        return Err(invalid(
                            "purposes",
                            format!("`{purpose}` is not a purpose of the policy"),
                        ));
                    }
                }
            }
            (_, false) => {
                return Err(invalid(
                    "purposes",
                    "only service tokens are limited to purposes",
                ));
            }
            (_, true) => {}
        }
        let secret = format!("stw_{}", SecretKey::generate().to_hex());
        let token = StoredToken {
            id: uuid::Uuid::now_v7().to_string(),
            hash: token_hash(&secret),
            role: role.as_str().to_owned(),
            purposes,
            description: description.to_owned(),
            created_at: self.now().to_string(),
            revoked_at: None,
        };
        let audit = self.event(actor, "token.create", None, serde_json::json!({ "token": token.id, "role": token.role, "purposes": token.purposes }));
        self.store.create_token(&token, audit).await?;
        Ok((token, secret))
    }

    /// Revokes a token: from now on it authenticates nothing.
    pub async fn revoke_token(&self, actor: &Actor, token_id: &str) -> Result<()> {
        self.require(actor, &[Role::Admin])?;
        let audit = self.event(
            actor,
            "token.revoke",
            None,
            serde_json::json!({ "token": token_id }),
        );
        Ok(self
            .store
            .revoke_token(token_id, &self.now().to_string(), audit)
            .await?)
    }

    /// The actor a bearer token stands for, if it is valid.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Actor>> {
        let Some(token) = self.store.token_by_hash(&token_hash(secret)).await? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() {
            return Ok(None);
        }
        let Some(role) = Role::parse(&token.role) else {
            return Err(VaultError::Store(StoreError::Corrupt(format!(
                "token {} has unknown role `{}`",
                token.id, token.role
            ))));
        };
        Ok(Some(Actor {
            id: format!("token:{}", token.id),
            role,
            purposes: token.purposes,
        }))
    }

    /// Re-wraps every data key and system key under `new_kek`, all or none.
    /// Returns how many keys were re-wrapped.
    pub async fn rotate(&self, actor: &Actor, new_kek: &KeyEncryptionKey) -> Result<usize> {
        self.require(actor, &[Role::Admin])?;
        let mut rewrapped = Vec::new();
        for (name, key) in self.store.wrapped_keys().await? {
            let context = match &name {
                KeyName::Subject(id) => subject_context(id),
                KeyName::System(name) => system_context(name),
            };
            let secret = self.kek.unwrap(&key.wrapped, &context)?;
            rewrapped.push((
                name,
                WrappedKey {
                    wrapped: new_kek.wrap(&secret, &context),
                    kek_id: new_kek.id().to_owned(),
                    version: key.version,
                },
            ));
        }
        let count = rewrapped.len();
        let audit = self.event(
            actor,
            "keys.rotate",
            None,
            serde_json::json!({ "from": self.kek.id(), "to": new_kek.id(), "keys": count }),
        );
        self.store.replace_wrapped_keys(&rewrapped, audit).await?;
        Ok(count)
    }

    /// Seals a request's data, bound to the request and to what it is.
    pub fn seal_for_request(&self, request_id: &str, field: &str, plaintext: &[u8]) -> Vec<u8> {
        self.requests_key.seal(
            plaintext,
            FieldContext {
                subject: request_id,
                field,
                key_version: KEY_VERSION,
            },
        )
    }

    pub fn open_for_request(
        &self,
        request_id: &str,
        field: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>> {
        Ok(self.requests_key.open(
            sealed,
            FieldContext {
                subject: request_id,
                field,
                key_version: KEY_VERSION,
            },
        )?)
    }

    /// An audit entry for an act on a request, by `actor_id`.
    pub fn request_event(
        &self,
        actor_id: &str,
        action: &str,
        subject: Option<&str>,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now().to_string(),
            actor: actor_id.to_owned(),
            action: action.to_owned(),
            subject: subject.map(|id| self.pseudonym_key.pseudonym(id)),
            detail,
        }
    }

    /// Normalises an identity as the vault stores it (checks its format).
    pub fn normalise_identity(&self, input: &IdentityInput) -> Result<Identity> {
        self.identity(input)
    }

    /// Erases some of a subject's records, keeping the rest (an erasure
    /// under Art. 17(3) exceptions). Records already gone are no error.
    pub async fn erase_records(
        &self,
        actor: &Actor,
        subject_id: &str,
        record_ids: &[String],
    ) -> Result<()> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer])?;
        self.live_subject(subject_id).await?;
        let audit = self.event(
            actor,
            "records.erase",
            Some(subject_id),
            serde_json::json!({ "records": record_ids }),
        );
        Ok(self
            .store
            .delete_records(subject_id, record_ids, audit)
            .await?)
    }

    /// Art. 16: replaces the value of every record of `category`, keeping
    /// its purposes, source and time of collection. Returns how many.
    pub async fn rectify(
        &self,
        actor: &Actor,
        subject_id: &str,
        category: &str,
        value: &serde_json::Value,
    ) -> Result<usize> {
        self.require(actor, &[Role::Admin, Role::PrivacyOfficer])?;
        let subject = self.live_subject(subject_id).await?;
        let key = self.key_of(&subject).await?;
        let mut count = 0;
        for record in self.store.records(subject_id).await? {
            if record.category != category {
                continue;
            }
            let field = record_field(&record.id, &record.category, &record.purposes);
            let sealed = key.seal(
                value.to_string().as_bytes(),
                FieldContext {
                    subject: subject_id,
                    field: &field,
                    key_version: KEY_VERSION,
                },
            );
            let audit = self.event(
                actor,
                "record.rectify",
                Some(subject_id),
                serde_json::json!({ "record": record.id, "category": category }),
            );
            let rectified = StoredRecord {
                value_sealed: sealed,
                updated_at: self.now().to_string(),
                ..record
            };
            self.store.write_record(&rectified, audit).await?;
            count += 1;
        }
        Ok(count)
    }

    /// A subject's pseudonym in the audit log.
    pub fn pseudonym(&self, subject_id: &str) -> String {
        self.pseudonym_key.pseudonym(subject_id)
    }
}

/// A record's ciphertext is bound to its id, category and purposes: a row
/// relabelled in the database no longer opens, rather than passing the
/// purpose check under a false label.
fn record_field(id: &str, category: &str, purposes: &[String]) -> String {
    let mut purposes = purposes.to_vec();
    purposes.sort();
    format!("record:{id}:{category}:{}", purposes.join(","))
}

fn subject_context(subject_id: &str) -> String {
    format!("subject:{subject_id}")
}

fn system_context(name: &str) -> String {
    format!("system:{name}")
}

pub fn token_hash(secret: &str) -> String {
    sha256_hex(&[b"steward/token/v1", secret.as_bytes()])
}

/// Loads a system key, creating it the first time; refuses a KEK other than
/// the one the database was set up with.
async fn system_key(
    store: &dyn Repository,
    kek: &KeyEncryptionKey,
    name: &str,
) -> Result<SecretKey> {
    let stored = match store.system_key(name).await? {
        Some(stored) => stored,
        None => {
            let fresh = SecretKey::generate();
            let wrapped = WrappedKey {
                wrapped: kek.wrap(&fresh, &system_context(name)),
                kek_id: kek.id().to_owned(),
                version: 1,
            };
            store.put_system_key_if_absent(name, &wrapped).await?
        }
    };
    if stored.kek_id != kek.id() {
        return Err(VaultError::WrongKey {
            expected: stored.kek_id,
            given: kek.id().to_owned(),
        });
    }
    Ok(kek.unwrap(&stored.wrapped, &system_context(name))?)
}

/// Seconds since the epoch of a stored RFC 3339 time (0 if unreadable, which
/// the store never writes).
fn seconds(text: &str) -> i64 {
    text.parse::<Timestamp>()
        .map(|t| t.as_second())
        .unwrap_or(0)
}

/// The latest window between a start event and the end event after it.
fn window(events: &[StoredEvent], start: Event, end: Event) -> Option<Window> {
    let name = |e: Event| {
        serde_json::to_value(e)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let (start, end) = (name(start), name(end));
    // In time order: stored times are text, whose order is not time order
    // when fractions of seconds differ in length.
    let mut timeline: Vec<(Timestamp, &str)> = events
        .iter()
        .map(|e| {
            (
                e.at.parse().unwrap_or(Timestamp::UNIX_EPOCH),
                e.kind.as_str(),
            )
        })
        .collect();
    // Full precision: two events in the same second keep their real order.
    timeline.sort_by_key(|(at, _)| *at);
    let mut current: Option<Window> = None;
    for (at, kind) in timeline {
        if kind == start {
            current = Some(Window {
                from: at.as_second(),
                until: None,
            });
        } else if kind == end
            && let Some(w) = current.as_mut()
        {
            w.until = Some(at.as_second());
        }
    }
    current
}
