//! DynamoDB calls per request, counted: the real DynamoDB adapters against the emulator,
//! through the HTTP routers, with an SDK interceptor that records every call. Keeps the
//! table in the README honest and catches a change that adds a round trip.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use axum::{
    body::Body,
    http::{Method, Request, header},
};
use dashtam_application::{IdentitySettings, JobPorts, Ports};
use dashtam_core::SystemClock;
use dashtam_domain::{
    events::{EmailKind, EventPayload},
    ports::EmailComposer,
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAuditRepository, DynamoJobStore, DynamoOneTimeTokenRepository, DynamoProcessedEvents,
        DynamoSecurityConfigRepository, DynamoSessionRepository, DynamoUserRepository, Table,
    },
    memory::{InProcessQueue, MemoryMailbox, RecordingPublisher},
    security::{Argon2Hasher, JwtAccessTokens, RandomOpaqueTokens, WootheeDeviceDetector},
};
use dashtam_presentation::{AppState, Group, HttpConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "Str0ng!Passw0rd";

/// Records the operation (`X-Amz-Target`, e.g. `DynamoDB_20120810.GetItem`) of every call.
#[derive(Debug, Clone, Default)]
struct Calls(Arc<Mutex<Vec<String>>>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-dynamodb-calls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("?");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}

impl Calls {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

struct NoTemplates;

impl EmailComposer for NoTemplates {
    fn compose(&self, _: EmailKind, _: &str, _: Option<&str>) -> (String, String, String) {
        Default::default()
    }
}

struct App {
    router: axum::Router,
    calls: Calls,
    events: Arc<RecordingPublisher>,
}

impl App {
    async fn new() -> Self {
        let stack = dashtam_testkit::provision_stack().await;
        let calls = Calls::default();
        let conf = aws_sdk_dynamodb::config::Builder::from(&stack.sdk)
            .interceptor(calls.clone())
            .build();
        let table = Table::new(
            aws_sdk_dynamodb::Client::from_conf(conf),
            stack.var("DASHTAM_TABLE").to_owned(),
        );
        let events = Arc::new(RecordingPublisher::default());
        let ports = Ports {
            users: Arc::new(DynamoUserRepository::from_table(table.clone())),
            one_time_tokens: Arc::new(DynamoOneTimeTokenRepository::from_table(table.clone())),
            sessions: Arc::new(DynamoSessionRepository::from_table(table.clone())),
            security_config: Arc::new(DynamoSecurityConfigRepository::from_table(table.clone())),
            audit: Arc::new(DynamoAuditRepository::from_table(table.clone())),
            processed: Arc::new(DynamoProcessedEvents::from_table(table.clone())),
            hasher: Arc::new(Argon2Hasher::new()),
            access_tokens: Arc::new(JwtAccessTokens::with_fixed_key("k".repeat(64), 900)),
            opaque_tokens: Arc::new(RandomOpaqueTokens::new()),
            devices: Arc::new(WootheeDeviceDetector::new()),
            events: events.clone(),
            email: Arc::new(MemoryMailbox::default()),
            email_composer: Arc::new(NoTemplates),
            clock: Arc::new(SystemClock),
            jobs: JobPorts {
                runs: Arc::new(DynamoJobStore::from_table(table.clone())),
                // Queue depths are SQS calls, not DynamoDB ones.
                queues: InProcessQueue::new(),
                expiry_notices: Arc::new(DynamoJobStore::from_table(table.clone())),
                expired: Arc::new(DynamoJobStore::from_table(table)),
            },
            settings: IdentitySettings {
                admin_emails: ["root@example.com".to_owned()].into(),
            },
        };
        let state = AppState::new(
            ports,
            HttpConfig {
                api_base_url: "http://test".into(),
                version: "test",
            },
        );
        Self {
            router: dashtam_presentation::app(state, &Group::ALL),
            calls,
            events,
        }
    }

    /// Sends a request; answers the status, the body and the DynamoDB calls it made.
    async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, Vec<String>) {
        self.calls.take();
        let mut req = Request::builder().method(method).uri(path);
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let req = match body {
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            self.calls.take(),
        )
    }

    async fn verified_login(&self, email: &str) -> Value {
        self.call(
            Method::POST,
            "/api/v1/users",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
        let token = self
            .events
            .events()
            .iter()
            .rev()
            .find_map(|e| match &e.payload {
                EventPayload::UserRegistrationSucceeded {
                    verification_token, ..
                } => Some(verification_token.clone()),
                _ => None,
            })
            .unwrap();
        let (status, _, _) = self
            .call(
                Method::POST,
                "/api/v1/email-verifications",
                None,
                Some(json!({"token": token})),
            )
            .await;
        assert_eq!(status, 201);
        let (status, pair, _) = self
            .call(
                Method::POST,
                "/api/v1/sessions",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 201);
        pair
    }
}

fn ops(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn each_request_makes_the_documented_dynamodb_calls() {
    let app = App::new().await;

    let (status, _, calls) = app
        .call(
            Method::POST,
            "/api/v1/users",
            None,
            Some(json!({"email": "ada@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(calls, ops(&["TransactWriteItems"]), "register");

    // Login of a verified user: marker, user, security config, the user's sessions, one write.
    app.verified_login("bob@example.com").await;
    let (status, pair, calls) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            None,
            Some(json!({"email": "bob@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        calls,
        ops(&[
            "GetItem",
            "GetItem",
            "GetItem",
            "Query",
            "TransactWriteItems"
        ]),
        "login"
    );
    let access = pair["access_token"].as_str().unwrap().to_owned();

    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/users/me", Some(&access), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["GetItem", "GetItem"]),
        "GET /users/me: session + user"
    );

    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/sessions", Some(&access), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["GetItem", "Query"]),
        "GET /sessions: session + list"
    );

    let (status, _, calls) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"refresh_token": pair["refresh_token"]})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        calls,
        ops(&[
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems"
        ]),
        "refresh"
    );

    // A request with a bad token never reaches the table.
    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/users/me", Some("not-a-jwt"), None)
        .await;
    assert_eq!((status, calls.len()), (401, 0));

    let root = app.verified_login("root@example.com").await;
    let (status, _, calls) = app
        .call(
            Method::GET,
            "/api/v1/admin/security/config",
            root["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["GetItem", "GetItem", "GetItem"]),
        "admin: session + roles + config"
    );

    let (status, _, calls) = app
        .call(
            Method::GET,
            "/api/v1/admin/jobs",
            root["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["GetItem", "GetItem", "GetItem", "GetItem"]),
        "admin jobs: session + roles + one last run per schedule"
    );
    let (status, _, calls) = app.call(Method::GET, "/health/jobs", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["GetItem", "GetItem"]),
        "health/jobs: one last run per schedule"
    );
}
