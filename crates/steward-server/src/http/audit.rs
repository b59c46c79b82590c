//! The audit log's verification, and its signed checkpoints.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{AuditCheckpoint, AuditVerdict};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_audit))
        .routes(routes!(sign_checkpoint))
        .routes(routes!(latest_checkpoint))
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

/// Signs a checkpoint of the audit log now (its size and head hash, with the
/// installation's checkpoint key), records it and sends it to the witnesses.
/// 409 when the log does not verify or no longer extends the last checkpoint:
/// Steward signs no rewritten log.
#[utoipa::path(post, path = "/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])), responses((status = 201, body = AuditCheckpoint), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn sign_checkpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<(axum::http::StatusCode, ApiJson<AuditCheckpoint>), ApiError> {
    let issued = state.checkpoints.issue(&actor.id).await?;
    let public_key = state.checkpoints.public_key().to_hex();
    let c = &issued.signed.checkpoint;
    Ok((
        axum::http::StatusCode::CREATED,
        ApiJson(AuditCheckpoint {
            size: c.size,
            head: c.head.clone(),
            at: c.at.to_string(),
            key_id: issued.signed.key_id.clone(),
            public_key,
            audit_seq: issued.audit_seq,
            text: issued.text,
            witness_failures: issued.failures,
        }),
    ))
}

/// The checkpoint signed last, as the database keeps it: for reading, never
/// proof (check it against your own copies and public key). 404 before the
/// first.
#[utoipa::path(get, path = "/v1/audit/checkpoints/latest", tag = "audit", security(("bearer" = [])), responses((status = 200, body = AuditCheckpoint), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn latest_checkpoint(
    State(state): State<AppState>,
    _: Caller,
) -> Result<ApiJson<AuditCheckpoint>, ApiError> {
    let (audit_seq, signed) = state
        .checkpoints
        .latest()
        .await?
        .ok_or_else(|| ApiError::NotFound("no audit checkpoint has been signed yet".into()))?;
    let text = signed.to_text();
    let c = signed.checkpoint;
    Ok(ApiJson(AuditCheckpoint {
        size: c.size,
        head: c.head,
        at: c.at.to_string(),
        key_id: signed.key_id,
        public_key: state.checkpoints.public_key().to_hex(),
        audit_seq,
        text,
        witness_failures: Vec::new(),
    }))
}
