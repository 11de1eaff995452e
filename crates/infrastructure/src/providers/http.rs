//! The HTTP layer the provider clients share: one hyper client per process (hyper-rustls
//! on the rustls + aws-lc the AWS SDK already links, so no second crypto provider and no
//! new HTTP stack), a timeout on every call, and bounded retries with backoff on 429,
//! 5xx, timeouts and connection failures that honour `Retry-After` (seconds or
//! HTTP-date, D12).
//!
//! Nothing here logs a URL, a header or a body: they may carry tokens, keys or account
//! hashes. Log lines name the provider, the operation and the status.

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, SystemTime},
};

use backon::{ExponentialBuilder, Retryable as _};
use base64::Engine as _;
use bytes::Bytes;
use dashtam_domain::providers::ProviderError;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The largest body read (Schwab's 3000-row pages are a few MB).
const MAX_BODY: usize = 32 * 1024 * 1024;

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

/// A request to send, kept as data so every attempt sends the same one.
#[derive(Clone)]
pub struct ProviderRequest {
    method: Method,
    url: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// A header value a credential could not be put in (it holds a control character).
    bad_header: bool,
}

impl ProviderRequest {
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::GET, url.into())
    }

    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::POST, url.into())
    }

    fn new(method: Method, url: String) -> Self {
        Self {
            method,
            url,
            headers: vec![(header::ACCEPT, HeaderValue::from_static("application/json"))],
            body: Bytes::new(),
            bad_header: false,
        }
    }

    /// Appends `pairs` to the query string, form-encoded.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        if pairs.is_empty() {
            return self;
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let sep = if self.url.contains('?') { '&' } else { '?' };
        self.url = format!("{}{sep}{encoded}", self.url);
        self
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into();
        self.headers.push((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        ));
        self
    }

    /// A header holding a secret (marked sensitive, so hyper never shows it).
    pub fn secret_header(mut self, name: HeaderName, value: &str) -> Self {
        match HeaderValue::from_str(value) {
            Ok(mut v) => {
                v.set_sensitive(true);
                self.headers.push((name, v));
            }
            Err(_) => self.bad_header = true,
        }
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.secret_header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    pub fn basic(self, user: &str, password: &str) -> Self {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.secret_header(header::AUTHORIZATION, &format!("Basic {encoded}"))
    }

    fn build(&self) -> Result<http::Request<Full<Bytes>>, ProviderError> {
        if self.bad_header {
            return Err(ProviderError::Rejected(
                "the credentials hold characters a request header cannot carry".into(),
            ));
        }
        let mut b = http::Request::builder()
            .method(self.method.clone())
            .uri(&self.url)
            .header(
                header::USER_AGENT,
                concat!("dashtam/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in &self.headers {
            b = b.header(name, value.clone());
        }
        b.body(Full::new(self.body.clone()))
            .map_err(|_| ProviderError::InvalidResponse("a provider URL is malformed".into()))
    }
}

/// A failure worth another attempt.
#[derive(Debug)]
enum Transient {
    RateLimited(Option<Duration>),
    Status(StatusCode),
    Timeout,
    /// No connection was made: nothing reached the provider.
    Connect,
    /// The connection broke after the request may have been sent.
    Broken,
}

impl Transient {
    /// Whether the provider may have acted on the request (a timeout, a broken
    /// connection): a POST is not sent again then, since a code exchange would spend its
    /// single-use code twice.
    fn maybe_processed(&self) -> bool {
        matches!(self, Transient::Timeout | Transient::Broken)
    }
}

/// An attempt's outcome: a reply, something to retry, or a request that cannot be sent.
enum Failure {
    Transient(Transient),
    Final(ProviderError),
}

/// One provider's HTTP: the shared client, its timeouts and retry policy.
#[derive(Clone)]
pub struct ProviderHttp {
    client: HyperClient,
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
    /// default, since the connect timeout belongs to the connector).
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

    /// Sends `request`, retrying transient failures (a POST only when the provider cannot
    /// have acted on it: 429, 5xx, no connection). After the last attempt a 429 becomes
    /// `RateLimited`, anything else `Unavailable`; other statuses come back as a [`Reply`].
    pub async fn send(
        &self,
        op: &'static str,
        request: &ProviderRequest,
    ) -> Result<Reply, ProviderError> {
        let max_delay = self.retry.max_delay;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(max_delay)
            .with_max_times(self.retry.attempts.saturating_sub(1))
            .with_jitter();
        let idempotent = request.method != Method::POST;
        let attempt = || self.attempt(op, request);
        attempt
            .retry(backoff)
            .when(|f| matches!(f, Failure::Transient(t) if idempotent || !t.maybe_processed()))
            .adjust(move |f, planned| match (f, planned) {
                (_, None) => None,
                // The provider said how long: wait that, unless it is longer than we will.
                (Failure::Transient(Transient::RateLimited(Some(after))), Some(_))
                    if *after > max_delay =>
                {
                    None
                }
                (Failure::Transient(Transient::RateLimited(Some(after))), Some(_)) => {
                    Some(*after)
                }
                (_, planned) => planned,
            })
            .notify(|f, wait| {
                if let Failure::Transient(t) = f {
                    tracing::warn!(provider = self.provider, op, failure = ?t, ?wait, "retrying provider call");
                }
            })
            .await
            .map_err(|f| match f {
                Failure::Transient(t) => self.give_up(op, t),
                Failure::Final(e) => e,
            })
    }

    async fn attempt(&self, op: &'static str, request: &ProviderRequest) -> Result<Reply, Failure> {
        let req = request.build().map_err(Failure::Final)?;
        let exchange = async {
            let response = self.client.request(req).await.map_err(|e| {
                if e.is_connect() {
                    Transient::Connect
                } else {
                    Transient::Broken
                }
            })?;
            let (parts, body) = response.into_parts();
            if parts.status == StatusCode::TOO_MANY_REQUESTS {
                return Err(Transient::RateLimited(retry_after(
                    &parts.headers,
                    SystemTime::now(),
                )));
            }
            if parts.status.is_server_error() {
                return Err(Transient::Status(parts.status));
            }
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|_| Transient::Broken)?
                .to_bytes();
            Ok(Reply {
                status: parts.status,
                body,
            })
        };
        let reply = tokio::time::timeout(self.timeouts.request, exchange)
            .await
            .map_err(|_| Failure::Transient(Transient::Timeout))?
            .map_err(Failure::Transient)?;
        tracing::debug!(
            provider = self.provider,
            op,
            status = reply.status.as_u16(),
            "provider answered"
        );
        Ok(reply)
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
            Transient::Broken => {
                ProviderError::Unavailable(format!("{} {op}: connection broken", self.provider))
            }
        }
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); else Alpaca's
/// `X-RateLimit-Reset` (unix seconds). A date in the past means "now".
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let until = |t: SystemTime| t.duration_since(now).unwrap_or(Duration::ZERO);
    if let Some(v) = headers
        .get(header::RETRY_AFTER)
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
fn shared_client() -> Result<HyperClient, ProviderError> {
    static CLIENT: OnceLock<Result<HyperClient, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| build_client(Timeouts::default().connect))
        .clone()
        .map_err(ProviderError::Unavailable)
}

/// HTTP/1.1 over TCP, TLS for `https` (plain `http` for the loopback sandbox).
fn build_client(connect: Duration) -> Result<HyperClient, String> {
    let mut tcp = HttpConnector::new();
    tcp.set_connect_timeout(Some(connect));
    tcp.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config()?)
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(https))
}

/// rustls with the aws-lc provider (the AWS SDK's) and the platform's roots.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        // Plain-HTTP sandboxes still work; https providers fail as unavailable.
        tracing::warn!("no trusted root certificates found; provider TLS will fail");
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
    fn requests_encode_queries_forms_and_hide_secrets() {
        let r = ProviderRequest::post("https://x.example/v1/oauth/token")
            .query(&[("a", "b c"), ("d", "é&")])
            .form(&[("code", "C0.abc@"), ("grant_type", "authorization_code")])
            .basic("id", "secret");
        let built = r.build().unwrap();
        assert_eq!(
            built.uri(),
            "https://x.example/v1/oauth/token?a=b+c&d=%C3%A9%26"
        );
        assert_eq!(
            r.body,
            Bytes::from_static(b"code=C0.abc%40&grant_type=authorization_code")
        );
        let auth = built.headers().get(header::AUTHORIZATION).unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth, "Basic aWQ6c2VjcmV0");
        let bad = ProviderRequest::get("https://x.example/").bearer("tok\nen");
        assert!(matches!(bad.build(), Err(ProviderError::Rejected(_))));
    }

    #[test]
    fn the_shared_client_builds_once_on_aws_lc() {
        assert!(shared_client().is_ok());
        assert!(tls_config().is_ok());
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
