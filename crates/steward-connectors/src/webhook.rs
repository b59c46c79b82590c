//! Services Steward cannot reach directly answer through a webhook.
//!
//! The contract (docs/connectors.md): Steward POSTs JSON to `{url}/access` or
//! `{url}/erase`:
//!
//! ```json
//! { "request_id": "…", "identities": [{ "kind": "email", "value": "anna@example.se" }] }
//! ```
//!
//! with the header `Steward-Signature: sha256=<hex HMAC-SHA-256 of the body>`
//! under a secret shared with the service (from the environment, never the
//! policy). The service answers 200 with
//! `{ "data": [{ "category": "…", "value": … }] }` for access, and
//! `{ "erased": true, "kept": [{ "category": "…", "reason": "…" }] }` for erasure.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::person::Identity;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the service could not be reached: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("the service answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the service's answer is not the webhook contract: {0}")]
    Reply(String),
}

pub type Result<T, E = WebhookError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct WebhookItem {
    pub category: String,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Kept {
    pub category: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookErasure {
    pub erased: bool,
    #[serde(default)]
    pub kept: Vec<Kept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessReply {
    data: Vec<WebhookItem>,
}

#[derive(Serialize)]
struct Call<'a> {
    request_id: &'a str,
    identities: Vec<IdentityBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct IdentityBody<'a> {
    kind: &'a str,
    value: &'a str,
}

pub struct WebhookConnector {
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
}

/// The signature header's value for `body`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

impl WebhookConnector {
    /// `url` is the service's base URL; `secret` the shared signing secret.
    pub fn new(url: &str, secret: &[u8]) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            client,
            url: url.trim_end_matches('/').to_owned(),
            secret: secret.to_vec(),
        })
    }

    async fn call(
        &self,
        action: &str,
        request_id: &str,
        identities: &[Identity<'_>],
        detail: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>> {
        let body = serde_json::to_vec(&Call {
            request_id,
            detail,
            identities: identities
                .iter()
                .map(|i| IdentityBody {
                    kind: i.kind,
                    value: i.value,
                })
                .collect(),
        })
        .map_err(|e| WebhookError::Reply(e.to_string()))?;
        let response = self
            .client
            .post(format!("{}/{action}", self.url))
            .header("Content-Type", "application/json")
            .header("Steward-Signature", signature(&self.secret, &body))
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?.to_vec();
        if !(200..300).contains(&status) {
            // Enough of the body to say what went wrong, not a whole page.
            let body: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            return Err(WebhookError::Status { status, body });
        }
        Ok(bytes)
    }

    pub async fn access(
        &self,
        request_id: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<WebhookItem>> {
        let bytes = self.call("access", request_id, identities, None).await?;
        let reply: AccessReply =
            serde_json::from_slice(&bytes).map_err(|e| WebhookError::Reply(e.to_string()))?;
        Ok(reply.data)
    }

    pub async fn erase(
        &self,
        request_id: &str,
        identities: &[Identity<'_>],
    ) -> Result<WebhookErasure> {
        let bytes = self.call("erase", request_id, identities, None).await?;
        serde_json::from_slice(&bytes).map_err(|e| WebhookError::Reply(e.to_string()))
    }

    /// Any other right (`rectify`, `restrict`, `lift_restriction`, `object`,
    /// `withdraw_consent`, `unsubscribe`): POSTs to `{url}/{action}` with
    /// `detail` (the category and value, or the purpose); any 2xx is done.
    pub async fn act(
        &self,
        action: &str,
        request_id: &str,
        identities: &[Identity<'_>],
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.call(action, request_id, identities, Some(detail))
            .await
            .map(|_| ())
    }
}
