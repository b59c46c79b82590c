//! What every handler reaches: the vault, the rights service, the audit
//! checkpoints, the metrics,
//! the OpenAPI document and the limits per client.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::checkpoints::Checkpoints;
use crate::http::throttle::ClientLimits;
use crate::rights::Rights;
use crate::vault::Vault;

#[derive(Clone)]
pub struct AppState {
    pub vault: Arc<Vault>,
    pub rights: Arc<Rights>,
    pub checkpoints: Arc<Checkpoints>,
    pub metrics: PrometheusHandle,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// What callers without a token may send, per client address.
    pub clients: Arc<ClientLimits>,
}
