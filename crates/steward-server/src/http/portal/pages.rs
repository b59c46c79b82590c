//! The pages a visitor reads: the start page, the privacy notice (the same
//! document as `steward policy render`), the cookie list, the rights; the
//! style sheet; the Global Privacy Control statement.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_domain::common::lang::Lang;
use steward_domain::policy::Policy;
// `Block` is named by the document template.
use steward_domain::publish::notice::{Block, NoticeDocument};
use steward_domain::rights::request::RequestKind;

use crate::http::portal::page::{Chrome, render};
use crate::http::portal::visit::{self, Visit};
use crate::http::portal::{i18n, layer, page};
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home {
    c: Chrome,
}

pub async fn home(State(state): State<AppState>, visit: Visit) -> Response {
    render(
        &Home {
            c: Chrome::new(&state, &visit, "home"),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "portal/notice.html")]
struct Notice {
    c: Chrome,
    doc: NoticeDocument,
}

pub async fn notice(State(state): State<AppState>, visit: Visit) -> Response {
    render(
        &Notice {
            doc: state.notice(visit.lang),
            c: Chrome::new(&state, &visit, "notice"),
        },
        StatusCode::OK,
    )
}

/// A right the visitor can use here, with its form's kind.
pub struct Right {
    pub kind: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// A page of some of the notice's sections, with an optional list of rights.
#[derive(Template)]
#[template(path = "portal/sections.html")]
struct Sections {
    c: Chrome,
    title: &'static str,
    intro: Option<&'static str>,
    doc: NoticeDocument,
    rights: Vec<Right>,
}

fn sections_of(state: &AppState, lang: Lang, ids: &[&str]) -> NoticeDocument {
    let mut doc = state.notice(lang);
    doc.sections.retain(|s| ids.contains(&s.id));
    doc
}

pub async fn cookies(State(state): State<AppState>, visit: Visit) -> Response {
    let c = Chrome::new(&state, &visit, "cookies");
    render(
        &Sections {
            title: c.t("cookies.title"),
            intro: None,
            doc: sections_of(&state, visit.lang, &["cookies"]),
            rights: Vec::new(),
            c,
        },
        StatusCode::OK,
    )
}

pub async fn rights(State(state): State<AppState>, visit: Visit) -> Response {
    let c = Chrome::new(&state, &visit, "rights");
    let policy = state.vault.policy();
    render(
        &Sections {
            title: c.t("rights.title"),
            intro: Some(c.t("rights.intro")),
            doc: sections_of(&state, visit.lang, &["rights", "consent", "complaint"]),
            rights: offered(policy)
                .into_iter()
                .map(|kind| right(kind, visit.lang))
                .collect(),
            c,
        },
        StatusCode::OK,
    )
}

/// The kinds of request this policy gives a form: every right, but those
/// that cannot apply (no purpose rests on consent: nothing to withdraw; no
/// direct marketing: nothing to stop).
pub fn offered(policy: &Policy) -> Vec<RequestKind> {
    use steward_domain::policy::LegalBasis;
    let consent = policy
        .purposes
        .iter()
        .any(|p| p.legal_basis == Some(LegalBasis::Consent));
    let marketing = policy.purposes.iter().any(|p| p.direct_marketing);
    let objectable = marketing
        || policy
            .purposes
            .iter()
            .any(|p| p.objection_refused().is_none());
    [
        (RequestKind::Access, true),
        (RequestKind::Portability, true),
        (RequestKind::Rectification, true),
        (RequestKind::Erasure, true),
        (RequestKind::Restriction, true),
        (RequestKind::Objection, objectable),
        (RequestKind::ConsentWithdrawal, consent),
        (RequestKind::Unsubscribe, marketing),
    ]
    .into_iter()
    .filter_map(|(kind, offered)| offered.then_some(kind))
    .collect()
}

pub fn right(kind: RequestKind, lang: Lang) -> Right {
    let name = kind.as_str();
    let key = |what: &str| format!("right.{name}.{what}");
    Right {
        kind: name,
        title: i18n::t(lang, &key("title")),
        text: i18n::t(lang, &key("text")),
    }
}

const STYLE: &str = include_str!("../../../assets/portal.css");

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// `/.well-known/gpc.json`: this site honours Global Privacy Control
/// (the GPC specification, section 3.3).
pub async fn gpc() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        r#"{"gpc":true}"#,
    )
        .into_response()
}

/// A path nobody serves, asked by a browser: a page, not JSON.
pub fn not_found(state: &AppState, headers: &HeaderMap, path: &str) -> Response {
    let cookies = visit::read_cookies(headers);
    let chosen = cookies
        .iter()
        .find(|(n, _)| n == visit::LANG_COOKIE)
        .map(|(_, v)| v.as_str());
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let visit = Visit {
        lang: i18n::negotiate(chosen, accept, state.vault.policy().meta.default_language),
        csrf: String::new(),
        gpc: false,
        path: path.to_owned(),
        cookies,
    };
    let mut response = page::error(state, &visit, StatusCode::NOT_FOUND, "error.404", None);
    layer::secure(response.headers_mut());
    response
}
