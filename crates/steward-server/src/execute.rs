//! What each part of a request does, and the answer they make together.
//!
//! A request becomes one job per place it must reach: the vault, each system
//! of the policy, and for rectification, erasure and restriction each
//! recipient (Art. 19). A system Steward cannot reach for that right becomes
//! a manual part that waits for a person. Every part is safe to run twice:
//! reads change nothing, and erasing, restricting or correcting what is
//! already so changes nothing more.

use std::io::Write;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_connectors::Identity;
use steward_domain::common::lang::Lang;
use steward_domain::policy::retention::{Events, RetentionEnd};
use steward_domain::policy::{Event, Policy, RecipientRole};
use steward_domain::rights::access_report::{self, AccessReport, HeldValue};
use steward_domain::rights::erasure_plan::{self, ErasureOutcome, Held};
use steward_domain::rights::letters;
use steward_domain::rights::request::RequestKind;
use steward_store::{Job, JobState, NewJob, StoredRequest};

use crate::auth::{Actor, Role};
use crate::outbox::Addressee;
use crate::requests::Requests;
use crate::systems::{Erased, Found, SystemError, Systems};
use crate::vault::{Result, Vault, VaultError};

/// The answer to a request, kept sealed with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    pub request: String,
    pub kind: String,
    pub generated: String,
    pub parts: Vec<AnsweredPart>,
    /// Access and portability: the data (for portability, only what Art. 20 covers).
    #[serde(default)]
    pub data: Vec<HeldValue>,
    /// Portability: categories left out, and why.
    #[serde(default)]
    pub not_portable: Vec<String>,
    /// Erasure: what was kept, why and until when.
    #[serde(default)]
    pub kept: Vec<Kept>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnsweredPart {
    pub system: String,
    pub action: String,
    pub done: bool,
    pub manual: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Kept {
    pub system: String,
    pub what: String,
    pub reason: String,
    /// `YYYY-MM-DD`, or words when there is no date yet.
    pub until: Option<String>,
}

/// The action a system is asked to do for a request of `kind`.
fn system_action(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access | RequestKind::Portability => "access",
        RequestKind::Erasure => "erase",
        RequestKind::Rectification => "rectify",
        RequestKind::Restriction => "restrict",
        RequestKind::LiftRestriction => "lift_restriction",
        RequestKind::Objection => "object",
        RequestKind::ConsentWithdrawal => "withdraw_consent",
        RequestKind::Unsubscribe => "unsubscribe",
    }
}

/// The parts of a request: the vault, the systems, the recipients to tell.
pub fn plan_jobs(
    policy: &Policy,
    systems: &Systems,
    request_id: &str,
    kind: RequestKind,
    category: Option<&str>,
) -> Vec<NewJob> {
    let job = |system: &str, action: &str, manual: bool| NewJob {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: request_id.to_owned(),
        system: system.to_owned(),
        action: action.to_owned(),
        payload: serde_json::json!({}),
        manual,
    };
    let mut jobs = vec![job("vault", &kind.to_string(), false)];
    let action = system_action(kind);
    for declared in &policy.systems {
        let holds_category = category.is_some_and(|c| {
            declared
                .categories
                .iter()
                .any(|held| steward_domain::policy::is_within(c, held))
        });
        let connected = systems.get(&declared.id);
        let automatic = connected.is_some_and(|s| s.can(action, category));
        let needed = match kind {
            RequestKind::Access
            | RequestKind::Portability
            | RequestKind::Erasure
            | RequestKind::Restriction
            | RequestKind::LiftRestriction => true,
            RequestKind::Rectification => automatic || holds_category,
            // Purposes are enforced where data is used: by Steward's reads,
            // and by services that take the call.
            RequestKind::Objection | RequestKind::ConsentWithdrawal | RequestKind::Unsubscribe => {
                automatic
            }
        };
        if needed {
            jobs.push(job(&declared.id, action, !automatic));
        }
    }
    if kind.recipients_are_told() {
        for recipient in &policy.recipients {
            if recipient.role != RecipientRole::Processor {
                jobs.push(job(&format!("recipient:{}", recipient.id), "notify", false));
            }
        }
    }
    jobs
}

/// A part's result, sealed: it may hold personal data.
pub fn seal_result(
    vault: &Vault,
    request_id: &str,
    job_id: &str,
    result: &serde_json::Value,
) -> serde_json::Value {
    let sealed = vault.seal_for_request(
        request_id,
        &format!("job:{job_id}"),
        result.to_string().as_bytes(),
    );
    serde_json::json!({ "sealed": steward_domain::vault::crypto::hex_encode(&sealed) })
}

fn open_result(vault: &Vault, request_id: &str, job: &Job) -> Result<serde_json::Value> {
    let Some(sealed) = job.result.as_ref().and_then(|r| r["sealed"].as_str()) else {
        return Ok(serde_json::Value::Null);
    };
    let bytes = steward_domain::vault::crypto::hex_decode(sealed).unwrap_or_default();
    let plain = vault.open_for_request(request_id, &format!("job:{}", job.id), &bytes)?;
    Ok(serde_json::from_slice(&plain).unwrap_or(serde_json::Value::Null))
}

/// Why a part did not succeed this time.
pub enum PartError {
    /// Try again later.
    Transient(String),
    /// Trying again will not help.
    Permanent(String),
}

impl From<SystemError> for PartError {
    fn from(error: SystemError) -> Self {
        match error {
            SystemError::Transient(m) => PartError::Transient(m),
            SystemError::Permanent(m) => PartError::Permanent(m),
        }
    }
}

impl From<VaultError> for PartError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(e) => PartError::Transient(e.to_string()),
            other => PartError::Permanent(other.to_string()),
        }
    }
}

/// The internal actor that carries out verified requests.
fn worker() -> Actor {
    Actor {
        id: "worker".into(),
        role: Role::PrivacyOfficer,
        purposes: Vec::new(),
    }
}

/// Runs one part; returns its (sealed) result.
pub async fn run(requests: &Requests, job: &Job) -> Result<serde_json::Value, PartError> {
    let vault = requests.vault();
    let stored = requests.load(&job.request_id).await?;
    let payload = requests.payload(&stored)?;
    let kind: RequestKind = serde_json::from_value(serde_json::Value::String(stored.kind.clone()))
        .map_err(|_| PartError::Permanent(format!("unknown request kind `{}`", stored.kind)))?;
    let identities: Vec<Identity<'_>> = payload
        .identities
        .iter()
        .map(|i| Identity {
            kind: &i.kind,
            value: &i.value,
        })
        .collect();
    let result = if job.system == "vault" {
        vault_part(vault, &stored, kind, &payload).await?
    } else if let Some(recipient) = job.system.strip_prefix("recipient:") {
        notify(requests, &stored, kind, recipient, &payload).await?
    } else {
        let system = requests.systems().get(&job.system).ok_or_else(|| {
            PartError::Permanent(format!(
                "system `{}` has no connector in the policy Steward runs now",
                job.system
            ))
        })?;
        match job.action.as_str() {
            "access" => {
                serde_json::json!({ "found": system.access(&stored.id, &identities).await? })
            }
            "erase" => {
                serde_json::json!({ "erased": system.erase(&stored.id, &identities).await? })
            }
            action => {
                let detail = serde_json::json!({
                    "purpose": payload.purpose,
                    "category": payload.category,
                    "value": payload.value,
                });
                system.act(action, &stored.id, &identities, &detail).await?
            }
        }
    };
    Ok(seal_result(vault, &stored.id, &job.id, &result))
}

async fn vault_part(
    vault: &Vault,
    stored: &StoredRequest,
    kind: RequestKind,
    payload: &crate::requests::Payload,
) -> Result<serde_json::Value, PartError> {
    let Some(subject) = stored.subject_id.as_deref() else {
        return Ok(serde_json::json!({ "found": false }));
    };
    let actor = worker();
    let outcome = match kind {
        RequestKind::Access | RequestKind::Portability => {
            let view = vault.subject_view(&actor, subject).await?;
            let data: Vec<HeldValue> = view
                .records
                .into_iter()
                .map(|r| HeldValue {
                    category: r.category,
                    value: r.value,
                    source: r.source,
                    purposes: r.purposes,
                    collected_at: r.collected_at,
                })
                .collect();
            Ok(serde_json::json!({ "data": data }))
        }
        RequestKind::Erasure => erase_in_vault(vault, &actor, subject).await,
        RequestKind::Rectification => {
            let category = payload.category.as_deref().unwrap_or_default();
            let value = payload.value.clone().unwrap_or(serde_json::Value::Null);
            let count = vault.rectify(&actor, subject, category, &value).await?;
            Ok(serde_json::json!({ "records": count }))
        }
        RequestKind::Restriction | RequestKind::LiftRestriction => {
            let restricted = kind == RequestKind::Restriction;
            vault.restrict(&actor, subject, restricted).await?;
            Ok(serde_json::json!({ "restricted": restricted }))
        }
        RequestKind::Objection => {
            let purpose = payload.purpose.as_deref().unwrap_or("direct_marketing");
            vault.object(&actor, subject, purpose, None).await?;
            Ok(serde_json::json!({ "objection": purpose }))
        }
        RequestKind::Unsubscribe => {
            vault
                .object(&actor, subject, "direct_marketing", None)
                .await?;
            Ok(serde_json::json!({ "objection": "direct_marketing" }))
        }
        RequestKind::ConsentWithdrawal => {
            let purpose = payload.purpose.as_deref().unwrap_or_default();
            match vault
                .withdraw_consent(&actor, subject, purpose, "request")
                .await
            {
                Ok(_) => Ok(serde_json::json!({ "withdrawn": purpose })),
                // Withdrawn already (by this request's earlier run, or before).
                Err(VaultError::NotFound { .. }) => {
                    Ok(serde_json::json!({ "withdrawn": purpose, "none_in_force": true }))
                }
                Err(e) => Err(e),
            }
        }
    };
    match outcome {
        Ok(value) => Ok(value),
        // The subject was erased meanwhile (or by this request's earlier run).
        Err(VaultError::Erased(_)) => Ok(serde_json::json!({ "erased_already": true })),
        Err(e) => Err(e.into()),
    }
}

/// Art. 17: erases what no exception keeps. With nothing kept, the
/// subject's key is destroyed (crypto-shredding); otherwise the records not
/// kept are deleted and the rest stay until their retention ends.
async fn erase_in_vault(vault: &Vault, actor: &Actor, subject: &str) -> Result<serde_json::Value> {
    let view = vault.subject_view(actor, subject).await?;
    let mut events = Events::new();
    for event in &view.events {
        let Ok(kind) =
            serde_json::from_value::<Event>(serde_json::Value::String(event.kind.clone()))
        else {
            continue;
        };
        if let Ok(day) = event.at.get(..10).unwrap_or_default().parse::<Date>() {
            let latest = events.entry(kind).or_insert(day);
            *latest = (*latest).max(day);
        }
    }
    let today = vault.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let held: Vec<Held<'_>> = view
        .records
        .iter()
        .map(|r| Held {
            id: &r.id,
            category: &r.category,
            purposes: &r.purposes,
            collected: r
                .collected_at
                .get(..10)
                .and_then(|d| d.parse().ok())
                .unwrap_or(today),
        })
        .collect();
    let plan = erasure_plan::plan(vault.policy(), &held, &events, today);
    let kept: Vec<serde_json::Value> = plan
        .iter()
        .filter_map(|p| match &p.outcome {
            ErasureOutcome::Keep {
                exception,
                law,
                until,
                ..
            } => Some(serde_json::json!({
                "category": p.category,
                "exception": exception,
                "law": law,
                "until": until_text(until),
            })),
            ErasureOutcome::Erase => None,
        })
        .collect();
    if kept.is_empty() {
        vault.erase(actor, subject).await?;
        return Ok(
            serde_json::json!({ "crypto_shredded": true, "erased": plan.len(), "kept": [] }),
        );
    }
    let erase: Vec<String> = plan
        .iter()
        .filter(|p| p.outcome == ErasureOutcome::Erase)
        .map(|p| p.id.clone())
        .collect();
    if !erase.is_empty() {
        vault.erase_records(actor, subject, &erase).await?;
    }
    Ok(serde_json::json!({ "crypto_shredded": false, "erased": erase.len(), "kept": kept }))
}

fn until_text(until: &RetentionEnd) -> String {
    match until {
        RetentionEnd::Through { date } => date.to_string(),
        RetentionEnd::Indefinite => "no end date yet: as long as the legal ground lasts".into(),
        RetentionEnd::AwaitingEvent { events } => format!(
            "until a set time after: {}",
            events
                .iter()
                .map(|e| serde_json::to_value(e)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RetentionEnd::Superseded { .. } => "superseded".into(),
    }
}

/// Art. 19: a letter to the recipient, with the identities they need to
/// find the person.
async fn notify(
    requests: &Requests,
    stored: &StoredRequest,
    kind: RequestKind,
    recipient: &str,
    payload: &crate::requests::Payload,
) -> Result<serde_json::Value, PartError> {
    let policy = requests.vault().policy();
    let lang = policy.meta.default_language;
    let Some(mut letter) =
        letters::notify_recipient(lang, &policy.controller.name, kind, &stored.id)
    else {
        return Ok(serde_json::json!({ "notified": false }));
    };
    letter.body.push('\n');
    for identity in &payload.identities {
        letter
            .body
            .push_str(&format!("\n{}: {}", identity.kind, identity.value));
    }
    let to = Addressee {
        channel: "recipient".into(),
        address: recipient.to_owned(),
    };
    // One letter per request and recipient, however often the job runs.
    requests
        .outbox()
        .send_as(&to, &letter, &format!("{}-{recipient}", stored.id))
        .await
        .map_err(|e| PartError::Transient(format!("the outbox could not be written: {e}")))?;
    Ok(serde_json::json!({ "notified": true }))
}

/// The purposes of the policy that use `category`.
fn purposes_using(policy: &Policy, category: &str) -> Vec<String> {
    policy
        .purposes
        .iter()
        .filter(|p| {
            p.categories
                .iter()
                .any(|c| steward_domain::policy::is_within(category, c))
        })
        .map(|p| p.id.clone())
        .collect()
}

/// Puts the parts' results together.
pub async fn answer(requests: &Requests, stored: &StoredRequest, jobs: &[Job]) -> Result<Answer> {
    let vault = requests.vault();
    let policy = vault.policy();
    let mut answer = Answer {
        request: stored.id.clone(),
        kind: stored.kind.clone(),
        generated: vault.now().to_string(),
        parts: Vec::new(),
        data: Vec::new(),
        not_portable: Vec::new(),
        kept: Vec::new(),
    };
    for job in jobs {
        let done = job.state == JobState::Done;
        answer.parts.push(AnsweredPart {
            system: job.system.clone(),
            action: job.action.clone(),
            done,
            manual: job.manual,
            reason: if done { None } else { job.last_error.clone() },
        });
        if !done {
            continue;
        }
        let result = open_result(vault, &stored.id, job)?;
        if let Ok(data) = serde_json::from_value::<Vec<HeldValue>>(result["data"].clone()) {
            answer.data.extend(data);
        }
        if let Ok(found) = serde_json::from_value::<Vec<Found>>(result["found"].clone()) {
            answer.data.extend(found.into_iter().map(|f| HeldValue {
                purposes: purposes_using(policy, &f.category),
                category: f.category,
                value: f.value,
                // Held in the organisation's own systems: taken as given by
                // the subject or arising from their use of its services.
                source: "subject".into(),
                collected_at: String::new(),
            }));
        }
        if let Ok(kept) = serde_json::from_value::<Vec<serde_json::Value>>(result["kept"].clone()) {
            answer.kept.extend(kept.into_iter().map(|k| {
                Kept {
                    system: job.system.clone(),
                    what: k["category"].as_str().unwrap_or_default().to_owned(),
                    reason: k["law"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| k["exception"].as_str().unwrap_or_default().to_owned()),
                    until: k["until"].as_str().map(str::to_owned),
                }
            }));
        }
        if let Ok(erased) = serde_json::from_value::<Vec<Erased>>(result["erased"].clone()) {
            answer.kept.extend(
                erased
                    .into_iter()
                    .filter(|e| e.action == "kept")
                    .map(|e| Kept {
                        system: job.system.clone(),
                        what: e.what,
                        reason: e.reason.unwrap_or_default(),
                        until: None,
                    }),
            );
        }
    }
    if stored.kind == "portability" {
        let portable = access_report::portable(policy, &answer.data);
        let mut left_out: Vec<String> = answer
            .data
            .iter()
            .filter(|d| !portable.contains(d))
            .map(|d| d.category.clone())
            .collect();
        left_out.sort();
        left_out.dedup();
        answer.not_portable = left_out
            .into_iter()
            .map(|c| {
                format!(
                    "{c}: not provided by you, or not processed on consent or contract (Art. 20(1))"
                )
            })
            .collect();
        answer.data = portable;
    }
    Ok(answer)
}

/// The answer in the form asked for.
pub fn render(
    policy: &Policy,
    stored: &StoredRequest,
    answer: &Answer,
    format: &str,
) -> Result<(&'static str, Vec<u8>)> {
    let lang = Lang::from_code(&stored.language).unwrap_or(policy.meta.default_language);
    let unsupported = |what: &str| VaultError::Invalid {
        field: "format".into(),
        message: what.to_owned(),
    };
    let internal = |e: &dyn std::fmt::Display| VaultError::Invalid {
        field: "format".into(),
        message: format!("the answer could not be rendered: {e}"),
    };
    let report = || AccessReport::build(policy, answer.data.clone(), lang, &answer.generated);
    match format {
        "json" => Ok((
            "application/json",
            serde_json::to_vec_pretty(answer).unwrap_or_default(),
        )),
        "md" if stored.kind == "access" => Ok((
            "text/markdown; charset=utf-8",
            report().markdown().map_err(|e| internal(&e))?.into_bytes(),
        )),
        "html" if stored.kind == "access" => Ok((
            "text/html; charset=utf-8",
            report().html().map_err(|e| internal(&e))?.into_bytes(),
        )),
        "zip" if stored.kind == "portability" => {
            let csv = access_report::portable_csv(&answer.data).map_err(|e| internal(&e))?;
            let json = serde_json::to_vec_pretty(&answer.data).unwrap_or_default();
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default();
            for (name, bytes) in [("data.json", json), ("data.csv", csv.into_bytes())] {
                zip.start_file(name, options).map_err(|e| internal(&e))?;
                zip.write_all(&bytes).map_err(|e| internal(&e))?;
            }
            let cursor = zip.finish().map_err(|e| internal(&e))?;
            Ok(("application/zip", cursor.into_inner()))
        }
        "md" | "html" => Err(unsupported(
            "a readable report is made for access requests; use `json`",
        )),
        "zip" => Err(unsupported(
            "a zip is made for portability requests; use `json`",
        )),
        other => Err(unsupported(&format!(
            "`{other}` is not a format: use json, md or html (access), or zip (portability)"
        ))),
    }
}
