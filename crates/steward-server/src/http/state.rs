//! What every handler reaches: the vault, the rights service, the audit
//! checkpoints, the metrics,
//! the OpenAPI document and the limits per client.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use steward_domain::common::lang::Lang;
use steward_domain::publish::notice::NoticeDocument;

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
    /// The privacy notice in each language, built once: it depends only on
    /// the policy, and the portal shows it on several pages.
    pub notices: Arc<Vec<NoticeDocument>>,
}

impl AppState {
    /// The notice in `lang` (every language is built at start-up).
    pub fn notice(&self, lang: Lang) -> NoticeDocument {
        self.notices
            .iter()
            .find(|n| n.lang == lang.code())
            .cloned()
            .unwrap_or_else(|| NoticeDocument::build(self.vault.policy(), lang))
    }
}
