//! A data subject's own page: sign in with a code, then see each consent
//! with its history and give or withdraw it in one click (withdrawing as
//! easy as giving, Art. 7(3)), download each receipt, and see one's
//! requests. The session cookie is scoped to `/account`, and works only
//! with this browser's CSRF cookie (`rights/sign_in.rs`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::SameSite;
use serde::Deserialize;
use steward_domain::common::ids::ConsentId;
use steward_domain::common::lang::{Lang, date_in_words};
use steward_domain::policy::LegalBasis;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::consent::GivenBy;

use crate::http::error::ApiError;
use crate::http::portal::i18n;
use crate::http::portal::page::{Chrome, render, see_other};
use crate::http::portal::pages::right;
use crate::http::portal::visit::{CSRF_COOKIE, CsrfOnly, Visit, append_cookie, session_cookie};
use crate::http::state::AppState;
use crate::rights::Session;
use crate::vault::{IdentityInput, VaultError};

const SESSION_COOKIE: &str = "steward_session";
/// The ticket of the last code asked for (`rights/sign_in.rs`).
const TICKET_COOKIE: &str = "steward_sign_in";

/// One consent-based purpose on the subject's page.
pub struct ConsentLine {
    pub purpose: String,
    pub name: String,
    pub description: String,
    pub given: bool,
    /// Each time given, newest first: (when given, when withdrawn, receipt).
    pub history: Vec<(String, Option<String>, String)>,
}

/// One of the subject's requests.
pub struct RequestLine {
    pub id: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub received: String,
}

#[derive(Template)]
#[template(path = "portal/account.html")]
struct Account {
    c: Chrome,
    consents: Vec<ConsentLine>,
    requests: Vec<RequestLine>,
    until: String,
    /// This visit's GPC signal was recorded as an objection just now.
    gpc_recorded: bool,
}

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignIn {
    c: Chrome,
    identity_kind: &'static str,
    identity: String,
    /// The code was sent: ask for it.
    sent: bool,
    problem: Option<String>,
    available: bool,
}

fn moment(state: &AppState, at: jiff::Timestamp, lang: Lang) -> String {
    let zoned = at.to_zoned(state.vault.policy().controller.time_zone.clone());
    format!(
        "{}, {:02}:{:02}",
        date_in_words(zoned.date(), lang),
        zoned.hour(),
        zoned.minute()
    )
}

fn session_of(state: &AppState, visit: &Visit) -> Option<Session> {
    state
        .rights
        .session(visit.cookie(SESSION_COOKIE)?, &visit.csrf)
}

fn sign_in_page(
    state: &AppState,
    visit: &Visit,
    identity: String,
    sent: bool,
    problem: Option<String>,
) -> Response {
    let kind = state.rights.sign_in_kind();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &SignIn {
            c: Chrome::new(state, visit, "account"),
            identity_kind: kind.unwrap_or("email"),
            available: kind.is_some(),
            identity,
            sent,
            problem,
        },
        status,
    )
}

pub async fn account(State(state): State<AppState>, visit: Visit) -> Result<Response, ApiError> {
    let Some(session) = session_of(&state, &visit) else {
        return Ok(sign_in_page(&state, &visit, String::new(), false, None));
    };
    let lang = visit.lang;
    let policy = state.vault.policy();
    let subject = match state.vault.live_subject(&session.subject).await {
        Ok(subject) => subject,
        // Erased since: the session ends with the data.
        Err(VaultError::Erased(_) | VaultError::NotFound { .. }) => {
            return Ok(sign_in_page(&state, &visit, String::new(), false, None));
        }
        Err(other) => return Err(other.into()),
    };
    // The signal is honoured where it is seen; a failure to record it is
    // logged, and must not keep the subject from their consents.
    let gpc_recorded = visit.gpc
        && state
            .vault
            .object_by_signal(&session.subject, "global_privacy_control")
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "a Global Privacy Control signal could not be recorded");
                false
            });
    let ledger = state.vault.own_consents(&session.subject).await?;
    let consents = policy
        .purposes
        .iter()
        .filter(|p| p.legal_basis == Some(LegalBasis::Consent))
        .filter(|p| p.subjects.contains(&subject.subject_type))
        .map(|p| {
            let mine: Vec<_> = ledger.iter().filter(|c| c.purpose == p.id).collect();
            ConsentLine {
                purpose: p.id.clone(),
                name: p.name.get(lang).to_owned(),
                description: p.description.get(lang).to_owned(),
                given: mine.iter().any(|c| c.withdrawn_at.is_none()),
                history: mine
                    .iter()
                    .map(|c| {
                        (
                            moment(&state, c.given_at, lang),
                            c.withdrawn_at.map(|at| moment(&state, at, lang)),
                            format!("/account/consents/{}/receipt", c.id),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let requests = state
        .rights
        .own_requests(&session)
        .await?
        .into_iter()
        .map(|r| RequestLine {
            id: r.id.to_string(),
            kind: right(r.kind, lang).title,
            state: i18n::t(lang, &format!("state.{}", r.status)),
            received: date_in_words(state.vault.local_date(r.received_at), lang),
        })
        .collect();
    Ok(render(
        &Account {
            until: moment(&state, session.until, lang),
            c: Chrome::new(&state, &visit, "account"),
            consents,
            requests,
            gpc_recorded,
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub struct CodeFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identity: String,
    #[serde(default)]
    code: String,
}

fn identity_of(state: &AppState, fields: &CodeFields) -> IdentityInput {
    IdentityInput {
        kind: state.rights.sign_in_kind().unwrap_or("email").to_owned(),
        value: fields.identity.trim().to_owned(),
    }
}

/// Sends the code (if the address is one the vault holds as the subject's).
pub async fn send_code(
    State(state): State<AppState>,
    visit: Visit,
    Form(fields): Form<CodeFields>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let identity = identity_of(&state, &fields);
    match state
        .rights
        .send_sign_in_code(&identity, &visit.csrf, visit.lang)
        .await
    {
        Ok(ticket) => {
            let mut page = sign_in_page(&state, &visit, identity.value, true, None);
            let mut cookie = session_cookie(TICKET_COOKIE, ticket, SameSite::Strict);
            cookie.set_path("/account");
            cookie.set_max_age(cookie::time::Duration::minutes(30));
            append_cookie(page.headers_mut(), cookie);
            Ok(page)
        }
        Err(VaultError::Invalid { message, .. }) => Ok(sign_in_page(
            &state,
            &visit,
            identity.value,
            false,
            Some(message),
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    Form(fields): Form<CodeFields>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let identity = identity_of(&state, &fields);
    let ticket = visit.cookie(TICKET_COOKIE).unwrap_or_default();
    match state
        .rights
        .sign_in(&identity, &fields.code, &visit.csrf, ticket)
        .await
    {
        Ok(session) => {
            let mut response = see_account();
            let mut cookie = session_cookie(
                SESSION_COOKIE,
                session.token(&state.rights, &visit.csrf),
                SameSite::Strict,
            );
            cookie.set_path("/account");
            cookie.set_max_age(cookie::time::Duration::minutes(30));
            append_cookie(response.headers_mut(), cookie);
            Ok(response)
        }
        Err(VaultError::Invalid { .. }) => {
            let wrong = i18n::t(visit.lang, "account.wrong").to_owned();
            Ok(sign_in_page(
                &state,
                &visit,
                identity.value,
                true,
                Some(wrong),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

fn see_account() -> Response {
    see_other("/account")
}

fn signed_in(state: &AppState, visit: &Visit) -> Result<Session, ApiError> {
    session_of(state, visit).ok_or(ApiError::Forbidden(
        "sign in first: your session has ended".into(),
    ))
}

pub async fn give(
    State(state): State<AppState>,
    visit: Visit,
    Path(purpose): Path<String>,
    Form(fields): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let session = signed_in(&state, &visit)?;
    // A second click, another tab: one consent in force is enough, and
    // withdrawing stays one click.
    let in_force = state
        .vault
        .own_consents(&session.subject)
        .await?
        .iter()
        .any(|c| c.purpose == purpose && c.withdrawn_at.is_none());
    if in_force {
        return Ok(see_account());
    }
    state
        .vault
        .give_consent(
            &Actor::data_subject(),
            &session.subject,
            &purpose,
            "privacy_portal",
            Some(visit.lang.code()),
            GivenBy::Subject,
        )
        .await?;
    Ok(see_account())
}

pub async fn withdraw(
    State(state): State<AppState>,
    visit: Visit,
    Path(purpose): Path<String>,
    Form(fields): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let session = signed_in(&state, &visit)?;
    match state
        .vault
        .withdraw_consent(
            &Actor::data_subject(),
            &session.subject,
            &purpose,
            "privacy_portal",
        )
        .await
    {
        // Withdrawn already (a second click, another tab): nothing to do;
        // but a purpose that does not rest on consent is an error.
        Ok(_) => Ok(see_account()),
        Err(VaultError::NotFound { .. })
            if state
                .vault
                .policy()
                .purpose(&purpose)
                .is_some_and(|p| p.legal_basis == Some(LegalBasis::Consent)) =>
        {
            Ok(see_account())
        }
        Err(other) => Err(other.into()),
    }
}

/// The ISO/IEC TS 27560 receipt of one of the subject's own consents.
pub async fn receipt(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session = signed_in(&state, &visit)?;
    let id = ConsentId::from(id);
    let receipt = state
        .vault
        .own_consent_receipt(&session.subject, &id)
        .await?;
    let body = serde_json::to_vec_pretty(&receipt)
        .map_err(|e| ApiError::Internal(format!("a consent receipt: {e}")))?;
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"consent-{id}.json\""))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

pub async fn sign_out(visit: Visit, Form(fields): Form<CsrfOnly>) -> Result<Response, ApiError> {
    visit.check_csrf(&fields.csrf)?;
    let mut response = see_other("/");
    let mut cookie = session_cookie(SESSION_COOKIE, String::new(), SameSite::Strict);
    cookie.set_path("/account");
    cookie.set_max_age(cookie::time::Duration::ZERO);
    append_cookie(response.headers_mut(), cookie);
    // A new CSRF code too: a session is bound to the old one, so a copy of
    // the session cookie kept somewhere is worthless from now on.
    append_cookie(
        response.headers_mut(),
        session_cookie(
            CSRF_COOKIE,
            steward_domain::vault::crypto::SecretKey::generate().to_hex(),
            SameSite::Lax,
        ),
    );
    Ok(response)
}
