//! The HTTP API under `/v1`, plus `/healthz`, `/metrics` and `/openapi.json`.
//! Every handler is registered through utoipa, so the OpenAPI document and
//! the router cannot disagree; every handler states the roles it admits.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use steward_domain::common::lang::Lang;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Actor, Role};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;
use crate::vault::{IdentityInput, NewRecord, NewSubject, ReadOutcome, SubjectView};

/// A JSON body whose rejections become problem details.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The caller, from `Authorization: Bearer <token>`.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        match state.vault.authenticate(secret.trim()).await? {
            Some(actor) => Ok(Caller(actor)),
            None => Err(ApiError::Unauthorized),
        }
    }
}

/// Admits the caller only if its role is one of `roles`.
pub(crate) fn admit(caller: &Caller, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&caller.0.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "the {} role may not use this endpoint",
            caller.0.role.as_str()
        )))
    }
}

pub(crate) const WRITERS: &[Role] = &[Role::Admin, Role::PrivacyOfficer, Role::Service];
pub(crate) const OFFICERS: &[Role] = &[Role::Admin, Role::PrivacyOfficer];
const OVERSIGHT: &[Role] = &[Role::Admin, Role::PrivacyOfficer, Role::Auditor];
const EVERYONE: &[Role] = &Role::ALL;
const ADMINS: &[Role] = &[Role::Admin];

/// Which roles each route admits: the role-matrix test reads this table.
pub const ACCESS: &[(&str, &str, Option<&[Role]>)] = &[
    ("GET", "/healthz", None),
    ("GET", "/metrics", None),
    ("GET", "/openapi.json", None),
    ("GET", "/v1/notice", None),
    ("GET", "/v1/policy", Some(EVERYONE)),
    ("GET", "/v1/record-of-processing", Some(OVERSIGHT)),
    ("GET", "/v1/audit/verify", Some(OVERSIGHT)),
    ("POST", "/v1/tokens", Some(ADMINS)),
    ("DELETE", "/v1/tokens/{id}", Some(ADMINS)),
    ("POST", "/v1/subjects", Some(WRITERS)),
    ("POST", "/v1/subjects/lookup", Some(WRITERS)),
    ("GET", "/v1/subjects/{id}", Some(OFFICERS)),
    ("DELETE", "/v1/subjects/{id}", Some(OFFICERS)),
    ("POST", "/v1/subjects/{id}/identities", Some(WRITERS)),
    ("POST", "/v1/subjects/{id}/records", Some(WRITERS)),
    ("GET", "/v1/subjects/{id}/data", Some(WRITERS)),
    ("POST", "/v1/subjects/{id}/events", Some(WRITERS)),
    ("POST", "/v1/subjects/{id}/consents", Some(WRITERS)),
    (
        "DELETE",
        "/v1/subjects/{id}/consents/{purpose}",
        Some(WRITERS),
    ),
    ("POST", "/v1/subjects/{id}/objections", Some(WRITERS)),
    ("PUT", "/v1/subjects/{id}/restriction", Some(OFFICERS)),
    ("GET", "/v1/subjects/{id}/unsubscribe-link", Some(WRITERS)),
    (
        "GET",
        "/v1/consents/{id}/receipt",
        Some(&[
            Role::Admin,
            Role::PrivacyOfficer,
            Role::Service,
            Role::Auditor,
        ]),
    ),
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(notice))
        .routes(routes!(policy))
        .routes(routes!(record_of_processing))
        .routes(routes!(verify_audit))
        .routes(routes!(create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(create_subject))
        .routes(routes!(lookup_subject))
        .routes(routes!(show_subject, erase_subject))
        .routes(routes!(add_identity))
        .routes(routes!(write_record))
        .routes(routes!(read_data))
        .routes(routes!(add_event))
        .routes(routes!(give_consent))
        .routes(routes!(withdraw_consent))
        .routes(routes!(object))
        .routes(routes!(restrict))
        .routes(routes!(consent_receipt))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    backend: &'static str,
    policy: String,
    policy_version: String,
}

/// Health and what the server runs on: 503 when reads cannot be audited.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn healthz(State(state): State<AppState>) -> (StatusCode, ApiJson<Health>) {
    let policy = state.vault.policy();
    let healthy = state.vault.is_healthy();
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let health = Health {
        status: if healthy {
            "ok"
        } else {
            "audit writer stopped"
        },
        backend: state.vault.store().backend(),
        policy: policy.meta.id.clone(),
        policy_version: policy.meta.version.to_string(),
    };
    (status, ApiJson(health))
}

/// Prometheus metrics, in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NoticeQuery {
    /// `en` or `sv`; the policy's default language if absent.
    lang: Option<String>,
    /// `html` (default) or `md`.
    format: Option<String>,
}

fn language(state: &AppState, code: Option<&str>) -> Result<Lang, ApiError> {
    let policy = state.vault.policy();
    match code {
        None => Ok(policy.meta.default_language),
        Some(code) => Lang::from_code(code)
            .filter(|l| policy.meta.languages.contains(l))
            .ok_or_else(|| ApiError::Invalid {
                field: Some("lang".into()),
                message: format!("`{code}` is not one of the policy's languages"),
            }),
    }
}

/// The privacy notice (Art. 13 and 14), public.
#[utoipa::path(get, path = "/v1/notice", tag = "policy", params(NoticeQuery), responses((status = 200, content_type = "text/html", body = String), (status = 422, body = Problem)))]
async fn notice(
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    let lang = language(&state, query.lang.as_deref())?;
    let policy = state.vault.policy();
    let (text, content_type) = match query.format.as_deref().unwrap_or("html") {
        "html" => (
            steward_domain::publish::notice::html(policy, lang),
            "text/html; charset=utf-8",
        ),
        "md" => (
            steward_domain::publish::notice::markdown(policy, lang),
            "text/markdown; charset=utf-8",
        ),
        other => {
            return Err(ApiError::Invalid {
                field: Some("format".into()),
                message: format!("`{other}` is not `html` or `md`"),
            });
        }
    };
    let text = text.map_err(|e| ApiError::Internal(format!("rendering the notice: {e}")))?;
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct PolicySummary {
    id: String,
    version: String,
    effective: String,
    controller: String,
    languages: Vec<String>,
    purposes: Vec<PurposeSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct PurposeSummary {
    id: String,
    legal_basis: Option<String>,
    categories: Vec<String>,
    direct_marketing: bool,
}

/// The policy in force: its purposes, their legal bases and categories.
#[utoipa::path(get, path = "/v1/policy", tag = "policy", security(("bearer" = [])), responses((status = 200, body = PolicySummary), (status = 401, body = Problem)))]
async fn policy(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<PolicySummary>, ApiError> {
    admit(&caller, EVERYONE)?;
    let p = state.vault.policy();
    Ok(ApiJson(PolicySummary {
        id: p.meta.id.clone(),
        version: p.meta.version.to_string(),
        effective: p.meta.effective.to_string(),
        controller: p.controller.name.clone(),
        languages: p
            .meta
            .languages
            .iter()
            .map(|l| l.code().to_owned())
            .collect(),
        purposes: p
            .purposes
            .iter()
            .map(|purpose| PurposeSummary {
                id: purpose.id.clone(),
                legal_basis: purpose.legal_basis.map(|b| b.article().to_owned()),
                categories: p
                    .expand_categories(&purpose.categories)
                    .iter()
                    .map(|c| c.id.clone())
                    .collect(),
                direct_marketing: purpose.direct_marketing,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordQuery {
    /// `json` (default), `csv` or `md`.
    format: Option<String>,
    lang: Option<String>,
}

/// The Art. 30(1) record of processing activities.
#[utoipa::path(get, path = "/v1/record-of-processing", tag = "policy", params(RecordQuery), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn record_of_processing(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RecordQuery>,
) -> Result<Response, ApiError> {
    admit(&caller, OVERSIGHT)?;
    let lang = language(&state, query.lang.as_deref())?;
    let record =
        steward_domain::publish::record_of_processing::Record::build(state.vault.policy(), lang);
    let internal =
        |e: &dyn std::fmt::Display| ApiError::Internal(format!("record of processing: {e}"));
    let (text, content_type) = match query.format.as_deref().unwrap_or("json") {
        "json" => (record.json().map_err(|e| internal(&e))?, "application/json"),
        "csv" => (
            record.csv().map_err(|e| internal(&e))?,
            "text/csv; charset=utf-8",
        ),
        "md" => (record.markdown(), "text/markdown; charset=utf-8"),
        other => {
            return Err(ApiError::Invalid {
                field: Some("format".into()),
                message: format!("`{other}` is not `json`, `csv` or `md`"),
            });
        }
    };
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct AuditVerdict {
    intact: bool,
    entries: u64,
    /// The hash of the last entry: keep it elsewhere to detect a rewrite of the whole log.
    head: Option<String>,
    /// The first problem found, if any.
    #[schema(value_type = Option<Object>)]
    tamper: Option<steward_domain::vault::audit_chain::Tamper>,
    message: String,
}

/// Verifies the whole audit log's hash chain.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit", security(("bearer" = [])), responses((status = 200, body = AuditVerdict), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<AuditVerdict>, ApiError> {
    admit(&caller, OVERSIGHT)?;
    Ok(ApiJson(match state.vault.verify_audit(&caller.0).await? {
        Ok(v) => AuditVerdict {
            intact: true,
            entries: v.entries,
            message: format!("{} entries, chain intact", v.entries),
            head: Some(v.head),
            tamper: None,
        },
        Err(tamper) => AuditVerdict {
            intact: false,
            entries: 0,
            head: None,
            message: tamper.to_string(),
            tamper: Some(tamper),
        },
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    role: Role,
    #[serde(default)]
    purposes: Vec<String>,
    #[serde(default)]
    description: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    id: String,
    role: String,
    purposes: Vec<String>,
    /// Shown once: only its hash is stored.
    secret: String,
}

/// Creates an API token.
#[utoipa::path(post, path = "/v1/tokens", tag = "operations", request_body = NewToken, security(("bearer" = [])), responses((status = 201, body = CreatedToken), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<CreatedToken>), ApiError> {
    admit(&caller, ADMINS)?;
    let (token, secret) = state
        .vault
        .create_token(&caller.0, body.role, body.purposes, &body.description)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedToken {
            id: token.id,
            role: token.role,
            purposes: token.purposes,
            secret,
        }),
    ))
}

/// Revokes a token; it then authenticates nothing.
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "operations", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, ADMINS)?;
    state.vault.revoke_token(&caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: String,
}

/// Creates a subject with its identities.
#[utoipa::path(post, path = "/v1/subjects", tag = "subjects", request_body = NewSubject, security(("bearer" = [])), responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_subject(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewSubject>,
) -> Result<(StatusCode, ApiJson<Created>), ApiError> {
    admit(&caller, WRITERS)?;
    let id = state.vault.create_subject(&caller.0, body).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// Finds a subject by an identity. POST keeps the identity out of URLs and logs.
#[utoipa::path(post, path = "/v1/subjects/lookup", tag = "subjects", request_body = IdentityInput, security(("bearer" = [])), responses((status = 200, body = Created), (status = 404, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn lookup_subject(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<IdentityInput>,
) -> Result<ApiJson<Created>, ApiError> {
    admit(&caller, WRITERS)?;
    match state.vault.find_subject(&caller.0, &body).await? {
        Some(id) => Ok(ApiJson(Created { id })),
        None => Err(ApiError::NotFound(format!(
            "no subject has this {} identity",
            body.kind
        ))),
    }
}

/// Everything held about a subject, decrypted.
#[utoipa::path(get, path = "/v1/subjects/{id}", tag = "subjects", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = SubjectView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn show_subject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<SubjectView>, ApiError> {
    admit(&caller, OFFICERS)?;
    Ok(ApiJson(state.vault.subject_view(&caller.0, &id).await?))
}

/// Erases a subject by crypto-shredding: its data key is destroyed.
#[utoipa::path(delete, path = "/v1/subjects/{id}", tag = "subjects", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn erase_subject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, OFFICERS)?;
    state.vault.erase(&caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an identity to a subject.
#[utoipa::path(post, path = "/v1/subjects/{id}/identities", tag = "subjects", params(("id" = String, Path)), request_body = IdentityInput, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_identity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IdentityInput>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, WRITERS)?;
    state.vault.add_identity(&caller.0, &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores a value for the purposes it was collected for.
#[utoipa::path(post, path = "/v1/subjects/{id}/records", tag = "records", params(("id" = String, Path)), request_body = NewRecord, security(("bearer" = [])), responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn write_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewRecord>,
) -> Result<(StatusCode, ApiJson<Created>), ApiError> {
    admit(&caller, WRITERS)?;
    let record = state.vault.write_record(&caller.0, &id, body).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id: record })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReadQuery {
    /// The purpose the data will be used for.
    purpose: String,
}

/// A purpose-bound read: only what the purpose may use, only while its legal basis holds.
#[utoipa::path(get, path = "/v1/subjects/{id}/data", tag = "records", params(("id" = String, Path), ReadQuery), security(("bearer" = [])), responses((status = 200, body = ReadOutcome), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn read_data(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<ReadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<ApiJson<ReadOutcome>, ApiError> {
    admit(&caller, WRITERS)?;
    let Query(query) = query.map_err(|_| ApiError::Invalid {
        field: Some("purpose".into()),
        message: "every read states its purpose: add `?purpose=...`".into(),
    })?;
    Ok(ApiJson(
        state.vault.read(&caller.0, &id, &query.purpose).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// `relationship_start`, `relationship_end`, `contract_start`, `contract_end`,
    /// `invoice_paid`, `contact_person_changed`, `last_activity`, ...
    kind: String,
    /// RFC 3339; now if absent.
    at: Option<String>,
}

/// Records a relationship event.
#[utoipa::path(post, path = "/v1/subjects/{id}/events", tag = "subjects", params(("id" = String, Path)), request_body = NewEvent, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewEvent>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, WRITERS)?;
    state
        .vault
        .record_event(&caller.0, &id, &body.kind, body.at.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    purpose: String,
    /// How it was collected, e.g. `web_form`.
    method: String,
    /// The notice language the subject was shown.
    language: Option<String>,
}

/// Records consent to a purpose.
#[utoipa::path(post, path = "/v1/subjects/{id}/consents", tag = "consents", params(("id" = String, Path)), request_body = NewConsent, security(("bearer" = [])), responses((status = 201, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn give_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewConsent>,
) -> Result<
    (
        StatusCode,
        ApiJson<steward_domain::vault::consent::ConsentRecord>,
    ),
    ApiError,
> {
    admit(&caller, WRITERS)?;
    let record = state
        .vault
        .give_consent(
            &caller.0,
            &id,
            &body.purpose,
            &body.method,
            body.language.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

/// Withdraws consent to a purpose; processing before it stays lawful.
#[utoipa::path(delete, path = "/v1/subjects/{id}/consents/{purpose}", tag = "consents", params(("id" = String, Path), ("purpose" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn withdraw_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, purpose)): Path<(String, String)>,
) -> Result<ApiJson<steward_domain::vault::consent::ConsentRecord>, ApiError> {
    admit(&caller, WRITERS)?;
    Ok(ApiJson(
        state
            .vault
            .withdraw_consent(&caller.0, &id, &purpose, "api")
            .await?,
    ))
}

/// The consent receipt, with the fields of ISO/IEC TS 27560.
#[utoipa::path(get, path = "/v1/consents/{id}/receipt", tag = "consents", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn consent_receipt(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<steward_domain::vault::consent::ConsentReceipt>, ApiError> {
    admit(
        &caller,
        &[
            Role::Admin,
            Role::PrivacyOfficer,
            Role::Service,
            Role::Auditor,
        ],
    )?;
    Ok(ApiJson(state.vault.consent_receipt(&caller.0, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// A purpose id, or `direct_marketing` (absolute).
    purpose: String,
    /// Privacy officers only: the compelling legitimate grounds that override the objection.
    compelling_grounds: Option<String>,
}

/// Records an objection (Art. 21).
#[utoipa::path(post, path = "/v1/subjects/{id}/objections", tag = "subjects", params(("id" = String, Path)), request_body = NewObjection, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn object(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewObjection>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, WRITERS)?;
    state
        .vault
        .object(&caller.0, &id, &body.purpose, body.compelling_grounds)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    restricted: bool,
}

/// Restricts processing to storage (Art. 18), or lifts the restriction.
#[utoipa::path(put, path = "/v1/subjects/{id}/restriction", tag = "subjects", params(("id" = String, Path)), request_body = Restriction, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn restrict(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Restriction>,
) -> Result<StatusCode, ApiError> {
    admit(&caller, OFFICERS)?;
    state
        .vault
        .restrict(&caller.0, &id, body.restricted)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
