//! The audit log's verification.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::AuditVerdict;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify_audit))
}

/// Verifies the whole audit log's hash chain.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit", security(("bearer" = [])), responses((status = 200, body = AuditVerdict), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn verify_audit(
    State(state): State<AppState>,
    _: Caller,
) -> Result<ApiJson<AuditVerdict>, ApiError> {
    Ok(ApiJson(match state.vault.verify_audit().await? {
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
