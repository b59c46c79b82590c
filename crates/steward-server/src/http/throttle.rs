//! What a caller without a token may send, run by the admission layer
//! after it has decided who is calling: how often (per client address, by
//! kind of call) and how much (a small body, read whole within a time).
//! Callers with a token are not limited per address: services call often,
//! and their token is what they answer for.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::app::HttpSettings;
use crate::clock::Clock;
use crate::http::access::Admitted;
use crate::http::error::ApiError;
use crate::limits::{Limiter, Limits};

/// The most a caller without a token may send: a request with a few
/// identities and a rectified value fits many times over.
pub const PUBLIC_BODY_LIMIT: usize = 16 * 1024;

pub struct ClientLimits {
    submissions: Limiter,
    follow: Limiter,
    public: Limiter,
    trusted_proxies: Vec<IpAddr>,
    body_read_timeout: Duration,
}

impl ClientLimits {
    pub fn new(limits: &Limits, http: &HttpSettings, clock: std::sync::Arc<dyn Clock>) -> Self {
        Self {
            submissions: Limiter::new(limits.submissions_per_client, clock.clone()),
            follow: Limiter::new(limits.follow_per_client, clock.clone()),
            public: Limiter::new(limits.public_per_client, clock),
            trusted_proxies: http.trusted_proxies.clone(),
            body_read_timeout: http.body_read_timeout,
        }
    }

    /// Counts a call by a caller without a token against its client's
    /// limit: submissions, a requester's calls (and unsubscribe links), or
    /// the rest. A call refused for its token counts as the rest, so
    /// guessing tokens is limited too.
    pub fn check(
        &self,
        request: &Request,
        route: &str,
        admitted: Option<&Admitted>,
    ) -> Result<(), ApiError> {
        let (limiter, what) = match admitted {
            Some(Admitted::Token(_)) => return Ok(()),
            // Probes call it often, and it touches nothing.
            Some(Admitted::Anyone) if route == "/healthz" => return Ok(()),
            _ if request.method() == Method::POST
                && (route == "/v1/requests" || route == "/requests") =>
            {
                (
                    &self.submissions,
                    "too many requests submitted from your address",
                )
            }
            Some(Admitted::Requester(_)) => (&self.follow, "too many calls from your address"),
            Some(Admitted::Anyone) if request.method() == Method::POST => {
                (&self.follow, "too many calls from your address")
            }
            _ => (&self.public, "too many calls from your address"),
        };
        let client = self.client(request);
        limiter.check(&client).map_err(|limited| {
            let seconds = limited.retry_after_seconds();
            ApiError::TooMany {
                detail: format!("{what}; try again in {seconds} seconds"),
                retry_after_seconds: Some(seconds),
            }
        })
    }

    /// Reads the body whole, within [`PUBLIC_BODY_LIMIT`] for callers
    /// without a token and within the body read timeout for everyone: a
    /// client that sends half a body is answered 408, not waited for.
    pub async fn read_body(
        &self,
        request: Request,
        admitted: &Admitted,
        limit: usize,
    ) -> Result<Request, ApiError> {
        let limit = match admitted {
            Admitted::Token(_) => limit,
            _ => limit.min(PUBLIC_BODY_LIMIT),
        };
        let (parts, body) = request.into_parts();
        let read =
            tokio::time::timeout(self.body_read_timeout, Limited::new(body, limit).collect())
                .await
                .map_err(|_| {
                    ApiError::Timeout(format!(
                        "the request body did not arrive within {} seconds",
                        self.body_read_timeout.as_secs()
                    ))
                })?;
        let bytes = match read {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(ApiError::TooLarge(format!(
                    "the request body is larger than the {limit} bytes this endpoint takes"
                )));
            }
            Err(e) => {
                return Err(ApiError::BadRequest(format!(
                    "the request body could not be read: {e}"
                )));
            }
        };
        Ok(Request::from_parts(parts, Body::from(bytes)))
    }

    /// Who limits count by: the peer's address, or behind a trusted proxy
    /// the last address it forwarded; IPv6 by its /64, which one machine
    /// usually holds whole.
    fn client(&self, request: &Request) -> String {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let ip = match peer {
            Some(peer) if self.trusted_proxies.contains(&peer) => {
                forwarded_client(request.headers(), &self.trusted_proxies).unwrap_or(peer)
            }
            Some(peer) => peer,
            // Served without an address (in-process calls): one shared count.
            None => return "unknown".into(),
        };
        match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// The client a chain of trusted proxies forwarded: the last address in
/// `X-Forwarded-For` that is not one of them (earlier ones the client may
/// have written itself).
fn forwarded_client(headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for entry in entries.into_iter().rev() {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // What our proxy wrote is not an address: believe nothing.
            Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_client_is_the_last_address_no_trusted_proxy_wrote() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let inner: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            forwarded_client(&headers(&["6.6.6.6, 203.0.113.9"]), &[proxy]),
            Some("203.0.113.9".parse().unwrap()),
            "what the client wrote itself comes first and is not believed"
        );
        assert_eq!(
            forwarded_client(&headers(&["203.0.113.9", "10.0.0.2"]), &[proxy, inner]),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            forwarded_client(&headers(&["garbage, 203.0.113.9"]), &[proxy]),
            Some("203.0.113.9".parse().unwrap()),
            "what comes before the client's own address does not matter"
        );
        assert_eq!(
            forwarded_client(&headers(&["not an address"]), &[proxy]),
            None
        );
        assert_eq!(forwarded_client(&headers(&[]), &[proxy]), None);
    }
}
