//! The HTTP layer the provider clients share: one reqwest client per process (TLS through
//! the rustls + aws-lc the AWS SDK already links), a timeout on every call, and bounded
//! retries with backoff on 429, 5xx, timeouts and connection failures that honour
//! `Retry-After` (seconds or HTTP-date, D12).
//!
//! Nothing here logs a URL, a header or a body: they may carry tokens, keys or account
//! hashes. Log lines name the provider, the operation and the status.

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, SystemTime},
};

use backon::{ExponentialBuilder, Retryable as _};
use bytes::Bytes;
use dashtam_domain::providers::ProviderError;
use reqwest::{RequestBuilder, StatusCode, header::HeaderMap};

/// How long a provider call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the connection (TCP + TLS).
    pub connect: Duration,
    /// For one attempt, connection to last body byte.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(10),
        }
    }
}

/// How transient failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: usize,
    /// The first backoff; doubled each time, with jitter.
    pub min_delay: Duration,
    /// The longest wait between attempts. A `Retry-After` beyond it is not waited out:
    /// the call gives up with `RateLimited { retry_after }` at once.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// A provider's answer that was not transient: the caller reads the status and body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The body as `T`; the error names the operation and serde's path, never a value.
    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, ProviderError> {
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(de).map_err(|e| {
            ProviderError::InvalidResponse(format!(
                "{what}: at `{}`: {}",
                e.path(),
                kind(e.inner())
            ))
        })
    }
}

/// serde_json's error category and position, without the message (it can quote input).
fn kind(e: &serde_json::Error) -> String {
    let category = match e.classify() {
        serde_json::error::Category::Io => "io error",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated",
    };
    format!("{category} (line {}, column {})", e.line(), e.column())
}

/// A failure worth another attempt.
#[derive(Debug)]
enum Transient {
    RateLimited(Option<Duration>),
    Status(StatusCode),
    Timeout,
    Connect,
}

/// One provider's HTTP: the shared client, its timeouts and retry policy.
#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
    provider: &'static str,
    timeouts: Timeouts,
    retry: RetryPolicy,
}

impl std::fmt::Debug for ProviderHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderHttp")
            .field("provider", &self.provider)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ProviderHttp {
    /// Uses the process's client (a dedicated one when `timeouts.connect` is not the
    /// default, since the connect timeout belongs to the client).
    pub fn new(
        provider: &'static str,
        timeouts: Timeouts,
        retry: RetryPolicy,
    ) -> Result<Self, ProviderError> {
        let client = if timeouts.connect == Timeouts::default().connect {
            shared_client()?
        } else {
            build_client(timeouts.connect).map_err(ProviderError::Unavailable)?
        };
        Ok(Self {
            client,
            provider,
            timeouts,
            retry,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends the request `build` makes (once per attempt), retrying transient failures.
    /// After the last attempt a 429 becomes `RateLimited`, anything else `Unavailable`;
    /// other statuses come back as a [`Reply`].
    pub async fn send<F>(&self, op: &'static str, build: F) -> Result<Reply, ProviderError>
    where
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        let max_delay = self.retry.max_delay;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(max_delay)
            .with_max_times(self.retry.attempts.saturating_sub(1))
            .with_jitter();
        let attempt = || self.attempt(op, &build);
        attempt
            .retry(backoff)
            .when(|_| true)
            .adjust(move |e, planned| match (e, planned) {
                (_, None) => None,
                // The provider said how long: wait that, unless it is longer than we will.
                (Transient::RateLimited(Some(after)), Some(_)) if *after > max_delay => None,
                (Transient::RateLimited(Some(after)), Some(_)) => Some(*after),
                (_, planned) => planned,
            })
            .notify(|e, wait| {
                tracing::warn!(provider = self.provider, op, failure = ?e, ?wait, "retrying provider call");
            })
            .await
            .map_err(|e| self.give_up(op, e))
    }

    async fn attempt<F>(&self, op: &'static str, build: &F) -> Result<Reply, Transient>
    where
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        let response = build(&self.client)
            .timeout(self.timeouts.request)
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Transient::RateLimited(retry_after(
                response.headers(),
                SystemTime::now(),
            )));
        }
        if status.is_server_error() {
            return Err(Transient::Status(status));
        }
        let body = response.bytes().await.map_err(classify)?;
        tracing::debug!(
            provider = self.provider,
            op,
            status = status.as_u16(),
            "provider answered"
        );
        Ok(Reply { status, body })
    }

    fn give_up(&self, op: &'static str, e: Transient) -> ProviderError {
        tracing::warn!(provider = self.provider, op, failure = ?e, "provider call failed after retries");
        match e {
            Transient::RateLimited(retry_after) => ProviderError::RateLimited { retry_after },
            Transient::Status(s) => {
                ProviderError::Unavailable(format!("{} {op}: HTTP {}", self.provider, s.as_u16()))
            }
            Transient::Timeout => {
                ProviderError::Unavailable(format!("{} {op}: timed out", self.provider))
            }
            Transient::Connect => {
                ProviderError::Unavailable(format!("{} {op}: connection failed", self.provider))
            }
        }
    }
}

fn classify(e: reqwest::Error) -> Transient {
    if e.is_timeout() {
        Transient::Timeout
    } else {
        // Connection refused or reset, a body cut short: the network's fault either way.
        Transient::Connect
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); else Alpaca's
/// `X-RateLimit-Reset` (unix seconds). A date in the past means "now".
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let until = |t: SystemTime| t.duration_since(now).unwrap_or(Duration::ZERO);
    if let Some(v) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
    {
        if let Ok(seconds) = v.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = httpdate::parse_http_date(v) {
            return Some(until(date));
        }
    }
    headers
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|reset| until(SystemTime::UNIX_EPOCH + Duration::from_secs(reset)))
}

/// The process's client, built on first use (reading the trust roots then, not at start).
pub fn shared_client() -> Result<reqwest::Client, ProviderError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| build_client(Timeouts::default().connect))
        .clone()
        .map_err(ProviderError::Unavailable)
}

fn build_client(connect: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls_config()?)
        .connect_timeout(connect)
        .https_only(false) // the sandbox is plain HTTP on loopback; real base URLs are https
        .user_agent(concat!("dashtam/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("building the provider HTTP client failed: {e}"))
}

/// rustls with the aws-lc provider (the AWS SDK's) and the platform's roots.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err("no trusted root certificates found for provider TLS".into());
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("provider TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 13:00:00 GMT").unwrap();
        let h = headers(&[("retry-after", "7")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let h = headers(&[("retry-after", "Tue, 01 Dec 2026 13:00:30 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        let h = headers(&[("retry-after", "Tue, 01 Dec 2026 12:59:00 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        let reset = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 12;
        let h = headers(&[("x-ratelimit-reset", &reset.to_string())]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(12)));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn json_errors_quote_no_input() {
        let reply = Reply {
            status: StatusCode::OK,
            body: Bytes::from_static(br#"{"access_token": 9876}"#),
        };
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            access_token: String,
        }
        let e = reply.json::<T>("token").unwrap_err().to_string();
        assert!(e.contains("access_token") && !e.contains("9876"), "{e}");
    }
}
