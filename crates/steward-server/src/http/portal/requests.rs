//! A data subject's requests in the browser: choose a right, fill in its
//! form, confirm with the code sent to you, follow the status, read and
//! download the answer. The follow secret travels in a cookie scoped to
//! the request's own pages (`HttpOnly`, `SameSite=Lax`), never in a URL.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::SameSite;
use serde::Deserialize;
use steward_domain::common::ids::RequestId;
use steward_domain::common::lang::{Lang, date_in_words};
use steward_domain::policy::LegalBasis;
use steward_domain::rights::parts::{PartState, PartTarget};
use steward_domain::rights::request::{RequestKind, RequestStatus};

use crate::http::error::ApiError;
use crate::http::portal::i18n;
use crate::http::portal::page::{Chrome, render, see_other};
use crate::http::portal::pages::{Right, offered, right};
use crate::http::portal::visit::{CsrfOnly, Visit, append_cookie, session_cookie};
use crate::http::state::AppState;
use crate::rights::{NewRequest, Progress, Viewer, code_kinds};
use crate::vault::{IdentityInput, VaultError};

const FOLLOW_COOKIE: &str = "steward_follow";

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/request_choose.html")]
struct Choose {
    c: Chrome,
    rights: Vec<Right>,
}

/// A choice of the policy's purposes or categories, in the form.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "portal/request_form.html")]
struct RequestForm {
    c: Chrome,
    right: Right,
    identity_kind: &'static str,
    identity_label: &'static str,
    form: Fields,
    purposes: Vec<Choice>,
    categories: Vec<Choice>,
    grounds_help: Option<&'static str>,
    /// What was wrong with the last try, and the field at fault.
    problem: Option<(String, String)>,
}

/// What the request form sends.
#[derive(Deserialize, Default)]
pub struct Fields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    identity: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    grounds: String,
}

fn offered_kind(state: &AppState, kind: Option<&str>) -> Option<RequestKind> {
    let kind: RequestKind = kind?.parse().ok()?;
    offered(state.vault.policy())
        .contains(&kind)
        .then_some(kind)
}

pub async fn new_request(
    State(state): State<AppState>,
    visit: Visit,
    Query(query): Query<KindQuery>,
) -> Response {
    match offered_kind(&state, query.kind.as_deref()) {
        Some(kind) => form(&state, &visit, kind, Fields::default(), None),
        None => render(
            &Choose {
                rights: offered(state.vault.policy())
                    .into_iter()
                    .map(|k| right(k, visit.lang))
                    .collect(),
                c: Chrome::new(&state, &visit, "request"),
            },
            StatusCode::OK,
        ),
    }
}

fn form(
    state: &AppState,
    visit: &Visit,
    kind: RequestKind,
    form: Fields,
    problem: Option<(String, String)>,
) -> Response {
    let policy = state.vault.policy();
    let lang = visit.lang;
    let phone = code_kinds(policy.rights.identity_verification) == ["phone"];
    let purposes: Vec<Choice> = match kind {
        RequestKind::Objection => {
            let mut choices: Vec<Choice> = policy
                .purposes
                .iter()
                .filter(|p| !p.direct_marketing && p.objection_refused().is_none())
                .map(|p| choice(&p.id, p.name.get(lang), &form.purpose))
                .collect();
            if policy.purposes.iter().any(|p| p.direct_marketing) {
                choices.push(choice(
                    "direct_marketing",
                    i18n::t(lang, "request.purpose.marketing"),
                    &form.purpose,
                ));
            }
            choices
        }
        RequestKind::ConsentWithdrawal => policy
            .purposes
            .iter()
            .filter(|p| p.legal_basis == Some(LegalBasis::Consent))
            .map(|p| choice(&p.id, p.name.get(lang), &form.purpose))
            .collect(),
        _ => Vec::new(),
    };
    let categories = if kind == RequestKind::Rectification {
        policy
            .categories
            .iter()
            .filter(|c| c.derived_from.is_empty())
            .map(|c| choice(&c.id, c.name.get(lang), &form.category))
            .collect()
    } else {
        Vec::new()
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &RequestForm {
            right: right(kind, lang),
            identity_kind: if phone { "phone" } else { "email" },
            identity_label: i18n::t(
                lang,
                if phone {
                    "request.identity.phone"
                } else {
                    "request.identity"
                },
            ),
            purposes,
            categories,
            grounds_help: match kind {
                RequestKind::Erasure => Some(i18n::t(lang, "request.grounds.erasure")),
                RequestKind::Objection => Some(i18n::t(lang, "request.grounds.objection")),
                _ => None,
            },
            form,
            problem,
            c: Chrome::new(state, visit, "request"),
        },
        status,
    )
}

fn choice(value: &str, label: &str, chosen: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == chosen,
    }
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

pub async fn submit(
    State(state): State<AppState>,
    visit: Visit,
    Form(fields): Form<Fields>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let Some(kind) = offered_kind(&state, Some(&fields.kind)) else {
        return Ok(see_other("/requests/new"));
    };
    let policy = state.vault.policy();
    let phone = code_kinds(policy.rights.identity_verification) == ["phone"];
    let input = NewRequest {
        kind,
        identities: vec![IdentityInput {
            kind: if phone { "phone" } else { "email" }.into(),
            value: fields.identity.trim().to_owned(),
        }],
        language: Some(visit.lang.code().into()),
        purpose: given(&fields.purpose),
        category: given(&fields.category),
        value: given(&fields.value).map(serde_json::Value::String),
        grounds: given(&fields.grounds),
        identity_checked: false,
        received: None,
        channel: None,
        guardian: None,
    };
    match state.rights.submit(None, input).await {
        Ok(submitted) => {
            let mut response = see_other(&format!("/requests/{}?new=1", submitted.id));
            remember(&mut response, &submitted.id, submitted.follow_secret);
            Ok(response)
        }
        Err(VaultError::Invalid { field, message }) => Ok(form(
            &state,
            &visit,
            kind,
            fields,
            Some((field_label(&field, visit.lang), message)),
        )),
        Err(other) => Err(other.into()),
    }
}

/// The form's own name for a field the service names.
fn field_label(field: &str, lang: Lang) -> String {
    let key = match field.split('.').next().unwrap_or_default() {
        "identities" => "request.identity",
        "purpose" => "request.purpose",
        "category" => "request.category",
        "value" => "request.value",
        "grounds" => "request.grounds",
        _ => "request.kind",
    };
    i18n::t(lang, key).to_owned()
}

/// Keeps the follow secret in a cookie that only this request's pages get.
fn remember(response: &mut Response, id: &RequestId, secret: String) {
    // `Lax`: the answered letter's link, followed from a webmail, must
    // reach the page; every POST also needs the CSRF code.
    let mut cookie = session_cookie(FOLLOW_COOKIE, secret, SameSite::Lax);
    cookie.set_path(format!("/requests/{id}"));
    append_cookie(response.headers_mut(), cookie);
}

#[derive(Deserialize)]
pub struct StatusQuery {
    new: Option<String>,
}

/// A part of the request, in words.
pub struct PartLine {
    pub target: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "portal/status.html")]
struct Status {
    c: Chrome,
    id: String,
    kind: &'static str,
    state: &'static str,
    held: Option<String>,
    received: String,
    due: String,
    overdue: bool,
    /// Not yet answered, refused or cancelled: the deadline still runs.
    open: bool,
    extension: Option<String>,
    /// The identity kinds still to confirm with a code.
    to_verify: Vec<String>,
    cancellable: bool,
    parts: Vec<PartLine>,
    /// Links to the answer: (href, words).
    answer: Vec<(String, &'static str)>,
    /// Shown right after the request is made.
    secret: Option<String>,
    message: Option<String>,
}

pub async fn status(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    let id = RequestId::from(id);
    let Some(secret) = visit.cookie(FOLLOW_COOKIE).map(str::to_owned) else {
        return Ok(follow_form(&state, &visit, &id.to_string(), None));
    };
    let shown = query.new.is_some().then(|| secret.clone());
    status_page(&state, &visit, &id, &secret, shown, None).await
}

async fn status_page(
    state: &AppState,
    visit: &Visit,
    id: &RequestId,
    secret: &str,
    shown: Option<String>,
    message: Option<String>,
) -> Result<Response, ApiError> {
    let progress = match state.rights.progress(id, &Viewer::Requester(secret)).await {
        Ok(progress) => progress,
        Err(VaultError::NotFound { .. }) => {
            let wrong = i18n::t(visit.lang, "follow.wrong").to_owned();
            return Ok(follow_form(state, visit, &id.to_string(), Some(wrong)));
        }
        Err(other) => return Err(other.into()),
    };
    let c = Chrome::new(state, visit, "follow");
    let status = if message.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        &describe(state, c, progress, shown, message),
        status,
    ))
}

fn describe(
    state: &AppState,
    c: Chrome,
    progress: Progress,
    secret: Option<String>,
    message: Option<String>,
) -> Status {
    let policy = state.vault.policy();
    let lang = c.lang;
    let request = &progress.request;
    let id = request.id.to_string();
    let answered = matches!(
        request.status,
        RequestStatus::Completed | RequestStatus::PartiallyCompleted
    ) && request.result_sealed.is_some();
    let readable = matches!(request.kind, RequestKind::Access | RequestKind::Erasure);
    let mut answer = Vec::new();
    if answered {
        if readable {
            answer.push((format!("/requests/{id}/answer"), c.t("status.read")));
            answer.push((
                format!("/requests/{id}/answer?format=md"),
                c.t("status.download.md"),
            ));
        }
        if request.kind == RequestKind::Portability {
            answer.push((
                format!("/requests/{id}/answer?format=zip"),
                c.t("status.download.zip"),
            ));
        }
        answer.push((
            format!("/requests/{id}/answer?format=json"),
            c.t("status.download.json"),
        ));
    }
    let parts = progress
        .parts
        .iter()
        .map(|part| {
            let target = match &part.target {
                PartTarget::Vault => c.t("part.vault").to_owned(),
                PartTarget::System(system) => policy
                    .systems
                    .iter()
                    .find(|s| &s.id == system)
                    .map_or_else(|| system.clone(), |s| s.name.get(lang).to_owned()),
                PartTarget::Recipient(recipient) => {
                    let name = policy
                        .recipient(recipient)
                        .map_or(recipient.as_str(), |r| r.name.get(lang));
                    i18n::tf(lang, "part.recipient", &[("name", name)])
                }
            };
            let state = match part.state {
                PartState::Done => c.t("part.done").to_owned(),
                PartState::Failed => c.t("part.failed").to_owned(),
                _ if part.manual => c.tc("part.manual"),
                PartState::Running => c.t("part.running").to_owned(),
                PartState::Pending => c.t("part.pending").to_owned(),
            };
            PartLine { target, state }
        })
        .collect();
    Status {
        kind: right(request.kind, lang).title,
        state: i18n::t(lang, &format!("state.{}", request.status)),
        held: request.held.clone(),
        received: date_in_words(state.vault.local_date(request.received_at), lang),
        due: date_in_words(request.due_on, lang),
        overdue: progress.overdue,
        open: !matches!(
            request.status,
            RequestStatus::Completed
                | RequestStatus::PartiallyCompleted
                | RequestStatus::Refused
                | RequestStatus::Cancelled
        ),
        extension: request.extension_reason.clone(),
        to_verify: if request.status == RequestStatus::AwaitingVerification {
            progress
                .verified
                .iter()
                .filter(|(_, done)| !**done)
                .map(|(kind, _)| kind.clone())
                .collect()
        } else {
            Vec::new()
        },
        cancellable: matches!(
            request.status,
            RequestStatus::Received | RequestStatus::AwaitingVerification | RequestStatus::Verified
        ),
        parts,
        answer,
        secret,
        message,
        id,
        c,
    }
}

fn secret_of(visit: &Visit) -> Result<String, ApiError> {
    visit
        .cookie(FOLLOW_COOKIE)
        .map(str::to_owned)
        .ok_or(ApiError::NotFound(
            "no request is followed in this browser".into(),
        ))
}

pub async fn verify(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    visit.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let id = RequestId::from(id);
    let secret = secret_of(&visit)?;
    let codes: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(name, code)| {
            Some((
                name.strip_prefix("code_")?.to_owned(),
                code.trim().to_owned(),
            ))
        })
        .collect();
    match state.rights.verify(&id, &secret, &codes).await {
        Ok(_) => Ok(see_other(&format!("/requests/{id}"))),
        Err(VaultError::Invalid { message, .. } | VaultError::NotNow(message)) => {
            status_page(&state, &visit, &id, &secret, None, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn resend(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(fields): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let id = RequestId::from(id);
    let secret = secret_of(&visit)?;
    let message = match state.rights.resend(&id, &secret).await {
        Ok(()) => i18n::t(visit.lang, "status.resent").to_owned(),
        Err(VaultError::NotNow(message)) => message,
        Err(other) => return Err(other.into()),
    };
    let mut page = status_page(&state, &visit, &id, &secret, None, Some(message)).await?;
    *page.status_mut() = StatusCode::OK;
    Ok(page)
}

pub async fn cancel(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Form(fields): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let id = RequestId::from(id);
    let secret = secret_of(&visit)?;
    let reason = i18n::t(visit.lang, "status.cancelled_by_you");
    match state
        .rights
        .cancel(&Viewer::Requester(&secret), &id, reason)
        .await
    {
        Ok(()) => Ok(see_other(&format!("/requests/{id}"))),
        Err(VaultError::NotNow(message)) => {
            status_page(&state, &visit, &id, &secret, None, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct AnswerQuery {
    format: Option<String>,
}

/// The answer: the readable report in the browser, or a download.
pub async fn answer(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<AnswerQuery>,
) -> Result<Response, ApiError> {
    let id = RequestId::from(id);
    let secret = secret_of(&visit)?;
    let format = query.format.unwrap_or_else(|| "html".into());
    let (content_type, bytes) = state
        .rights
        .answer(&id, &Viewer::Requester(&secret), &format)
        .await?;
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    let headers = response.headers_mut();
    if format == "html" {
        // The report is a document of its own, styled inline, with no
        // script and nothing loaded from anywhere.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        );
    } else {
        let extension = if format == "md" {
            "md"
        } else {
            format.as_str()
        };
        if let Ok(value) = HeaderValue::from_str(&format!(
            "attachment; filename=\"request-{id}.{extension}\""
        )) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "portal/follow.html")]
struct Follow {
    c: Chrome,
    id: String,
    problem: Option<String>,
}

fn follow_form(state: &AppState, visit: &Visit, id: &str, problem: Option<String>) -> Response {
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &Follow {
            c: Chrome::new(state, visit, "follow"),
            id: id.to_owned(),
            problem,
        },
        status,
    )
}

pub async fn follow(State(state): State<AppState>, visit: Visit) -> Response {
    follow_form(&state, &visit, "", None)
}

#[derive(Deserialize)]
pub struct FollowFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    secret: String,
}

/// Opens a request from its number and follow code (from another browser,
/// or the answered letter's link).
pub async fn open(
    State(state): State<AppState>,
    visit: Visit,
    Form(fields): Form<FollowFields>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let id = RequestId::from(fields.id.trim().to_owned());
    let secret = fields.secret.trim().to_owned();
    match state
        .rights
        .progress(&id, &Viewer::Requester(&secret))
        .await
    {
        Ok(_) => {
            let mut response = see_other(&format!("/requests/{id}"));
            remember(&mut response, &id, secret);
            Ok(response)
        }
        Err(VaultError::NotFound { .. } | VaultError::Invalid { .. }) => {
            let wrong = i18n::t(visit.lang, "follow.wrong").to_owned();
            Ok(follow_form(&state, &visit, &fields.id, Some(wrong)))
        }
        Err(other) => Err(other.into()),
    }
}
