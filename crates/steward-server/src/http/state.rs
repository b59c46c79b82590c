//! What every handler reaches: the vault, the rights service, the metrics
//! and the OpenAPI document.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::rights::Rights;
use crate::vault::Vault;

#[derive(Clone)]
pub struct AppState {
    pub vault: Arc<Vault>,
    pub rights: Arc<Rights>,
    pub metrics: PrometheusHandle,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
}
