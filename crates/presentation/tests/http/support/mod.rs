//! In-process test harness: the full router over in-memory ports, a manual clock, and
//! helpers that drive the identity flows through HTTP only.

#![allow(dead_code, clippy::unwrap_used)]

mod flows;
mod resp;

pub use resp::{Resp, Tokens, jwt_claims};

use std::{collections::BTreeSet, sync::Arc};

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use chrono::Duration;
use dashtam_container::InMemory;
use dashtam_core::{Clock, ManualClock};
use dashtam_infrastructure::{
    memory::{
        InProcessQueue, MemoryMailbox, MemoryRateLimits, MemoryStore, PlainComposer,
        RecordingPublisher,
    },
    security::Argon2Hasher,
};
use dashtam_presentation::{AppState, Group, HttpConfig, app, extract::ClientIp};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

pub const BASE_URL: &str = "https://api.dashtam.test";
pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef-0123456789abcdef";
pub const OTHER_KEY: &str = "another-signing-key-0123456789abcdef-0123456789ab";
pub const ADMIN_EMAIL: &str = "root@example.com";
pub const PASSWORD: &str = "Str0ng!Passw0rd";
pub const NEW_PASSWORD: &str = "N3w!Passw0rd#x";
pub const USER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
pub const CLIENT_IP: &str = "198.51.100.23";

/// A POST with exactly this content type (or none) and body, nothing else.
pub fn raw_post(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder().method(Method::POST).uri(path);
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(body.into()).unwrap()
}

/// The app plus handles on the in-memory adapters behind it.
pub struct TestApp {
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub mailbox: Arc<MemoryMailbox>,
    pub store: Arc<MemoryStore>,
    pub rate_limits: Arc<MemoryRateLimits>,
    /// The in-process queue the jobs health routes report.
    pub queue: Arc<InProcessQueue>,
}

/// How a [`TestApp`] is built beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub admins: Vec<String>,
    /// Rate limiting on with these limits (off by default: most tests are about other
    /// rules and make more requests per IP than the auth policies allow).
    pub rate_limits: Option<dashtam_domain::platform::rate_limit::Limits>,
    pub trusted_proxy_hops: usize,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_admins(&[ADMIN_EMAIL])
    }

    pub fn with_admins(admins: &[&str]) -> Self {
        Self::with(Options {
            admins: admins.iter().map(|e| (*e).to_owned()).collect(),
            ..Options::default()
        })
    }

    /// Rate limiting on, with the contract's default limits.
    pub fn rate_limited() -> Self {
        Self::with(Options {
            admins: vec![ADMIN_EMAIL.to_owned()],
            rate_limits: Some(Default::default()),
            ..Options::default()
        })
    }

    pub fn with(options: Options) -> Self {
        let clock = Arc::new(ManualClock::default());
        let mailbox = Arc::new(MemoryMailbox::default());
        let memory = InMemory::builder()
            .clock(clock.clone())
            .signing_key(SIGNING_KEY)
            // Cheap parameters: the tests log in a lot.
            .hasher(Arc::new(Argon2Hasher::with_params(1024, 1, 1).unwrap()))
            // Nothing relays here: the tests read what use cases recorded in the outbox.
            .events(Arc::new(RecordingPublisher::default()))
            .email(mailbox.clone())
            .email_composer(Arc::new(PlainComposer))
            .admins(options.admins.iter().cloned())
            .build();
        let (ports, store, rate_limits, queue) =
            (memory.ports, memory.store, memory.rate_limits, memory.queue);
        let mut state = AppState::new(
            ports,
            HttpConfig {
                api_base_url: BASE_URL.to_owned(),
                version: "0.0.0-test",
                trusted_proxy_hops: options.trusted_proxy_hops,
            },
        );
        if let Some(limits) = options.rate_limits {
            state = state.with_rate_limits(limits);
        }
        Self {
            router: app(state, &Group::ALL),
            clock,
            mailbox,
            store,
            rate_limits,
            queue,
        }
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Sends a prepared request as is.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let path = req.uri().path().to_owned();
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            path,
            status,
            headers,
            text,
            body,
        }
    }

    /// A request as a browser behind API Gateway would send it: JSON body (if any),
    /// bearer token (if any), a User-Agent and the platform's client IP.
    pub fn request(
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Request<Body> {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::USER_AGENT, USER_AGENT);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let mut req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        req.extensions_mut().insert(ClientIp(CLIENT_IP.to_owned()));
        req
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.send(Self::request(method, uri, token, body.as_ref()))
            .await
    }

    /// The status of a response whose body is never read: for the live stream, whose
    /// body does not end.
    pub async fn status_of(&self, method: Method, uri: &str, token: Option<&str>) -> StatusCode {
        self.router
            .clone()
            .oneshot(Self::request(method, uri, token, None))
            .await
            .map_or(StatusCode::INTERNAL_SERVER_ERROR, |r| r.status())
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, uri, token, None).await
    }

    pub async fn post(&self, uri: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, uri, token, Some(body)).await
    }

    pub async fn delete(&self, uri: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        self.call(Method::DELETE, uri, token, body).await
    }
}

impl Default for TestApp {
    fn default() -> Self {
        Self::new()
    }
}

/// Whatever a test did, everything published must be a registered event.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let registered: BTreeSet<&str> = dashtam_domain::platform::events::REGISTRY
            .iter()
            .map(|m| m.name)
            .collect();
        for name in self.names() {
            assert!(registered.contains(name), "{name} is not in REGISTRY");
        }
    }
}
