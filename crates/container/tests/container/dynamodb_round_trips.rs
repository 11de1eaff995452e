//! DynamoDB calls per request, counted: the real DynamoDB adapters against the emulator,
//! through the HTTP routers, with an SDK interceptor that records every call. Keeps the
//! table in the README honest and catches a change that adds a round trip.

use std::sync::Arc;

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use dashtam_application::IdentitySettings;
use dashtam_domain::platform::events::EventPayload;
use dashtam_infrastructure::{
    dynamodb::{StreamReader, Table},
    memory::{MemoryMailbox, RecordingPublisher},
};
use dashtam_presentation::{AppState, Group, HttpConfig, extract::ClientIp};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Calls, PASSWORD, table_ports};

struct App {
    router: axum::Router,
    calls: Calls,
    /// The table's stream: where the outbox's events (with the mailed tokens) show up.
    stream: tokio::sync::Mutex<StreamReader>,
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
        let stream = StreamReader::open(&stack.sdk, stack.var("DASHTAM_TABLE"))
            .await
            .unwrap();
        let mut ports = table_ports(
            &table,
            Arc::new(RecordingPublisher::default()),
            Arc::new(MemoryMailbox::default()),
        );
        ports.identity.settings = IdentitySettings {
            admin_emails: ["root@example.com".to_owned()].into(),
        };
        let state = AppState::new(
            ports,
            HttpConfig {
                api_base_url: "http://test".into(),
                version: "test",
                trusted_proxy_hops: 0,
            },
        )
        .with_rate_limits(Default::default());
        Self {
            router: dashtam_presentation::app(state, &Group::ALL),
            calls,
            stream: tokio::sync::Mutex::new(stream),
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
        let mut req = match body {
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        req.extensions_mut().insert(ClientIp("203.0.113.10".into()));
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
            .stream
            .lock()
            .await
            .next_events()
            .await
            .unwrap()
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
    // Every request first takes a token from its bucket: one UpdateItem.
    assert_eq!(
        calls,
        ops(&["UpdateItem", "TransactWriteItems"]),
        "register"
    );

    // Login of a verified user: bucket, marker, user, security config, the user's
    // sessions, one write.
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
            "UpdateItem",
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
        ops(&["UpdateItem", "BatchGetItem"]),
        "GET /users/me: bucket + session and user (current roles) in one batch"
    );
    // Right after, the bucket is part-used: the adapter's hint picks the matching
    // conditional update first, so it is still one call, not two.
    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/users/me", Some(&access), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["UpdateItem", "BatchGetItem"]),
        "GET /users/me again"
    );

    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/sessions", Some(&access), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["UpdateItem", "BatchGetItem", "Query"]),
        "GET /sessions: bucket + session and user, then the list"
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
            "UpdateItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems"
        ]),
        "refresh"
    );

    // A request with a bad token only reaches its (per-IP) bucket.
    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/users/me", Some("not-a-jwt"), None)
        .await;
    assert_eq!((status, calls), (401, ops(&["UpdateItem"])));

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
        ops(&["UpdateItem", "BatchGetItem", "GetItem"]),
        "admin: bucket + session and user (roles) in one batch, then the config"
    );
    let root = root["access_token"].as_str().unwrap();

    // Granting a role: authenticate, read the target, the conditional save and its events
    // in one transaction.
    let bob = app
        .call(Method::GET, "/api/v1/users/me", Some(&access), None)
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let grant = format!("/api/v1/admin/users/{bob}/roles/readonly");
    let (status, _, calls) = app.call(Method::POST, &grant, Some(root), None).await;
    assert_eq!(status, 201);
    assert_eq!(
        calls,
        ops(&[
            "UpdateItem",
            "BatchGetItem",
            "GetItem",
            "TransactWriteItems"
        ]),
        "grant role"
    );
    let (status, _, calls) = app.call(Method::POST, &grant, Some(root), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&[
            "UpdateItem",
            "BatchGetItem",
            "GetItem",
            "TransactWriteItems"
        ]),
        "grant held role: the user is not written, the attempt is still recorded"
    );

    // The audit trail of one user: one Query on GSI1.
    let (status, _, calls) = app
        .call(
            Method::GET,
            &format!("/api/v1/admin/audit?user_id={bob}&limit=10"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&["UpdateItem", "BatchGetItem", "Query"]),
        "audit by user"
    );

    // Without a user, one Query per UTC day from now back to `since`: the default 30-day
    // window over an empty trail is the worst case within one request (31 days).
    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/admin/audit", Some(root), None)
        .await;
    assert_eq!(status, 200);
    let mut expected = ops(&["UpdateItem", "BatchGetItem"]);
    expected.extend(ops(&["Query"; 31]));
    assert_eq!(calls, expected, "audit, default window, empty trail");

    // Jobs health: one last-run read per schedule, one Query per partition of the
    // waiting-events index (queue depths are SQS calls).
    let (status, _, calls) = app
        .call(Method::GET, "/api/v1/admin/jobs", Some(root), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&[
            "UpdateItem",
            "BatchGetItem",
            "GetItem",
            "GetItem",
            "Query",
            "Query",
            "Query",
            "Query"
        ]),
        "admin jobs: bucket + session and user + one last run per schedule + relay lag"
    );
    let (status, _, calls) = app.call(Method::GET, "/health/jobs", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        calls,
        ops(&[
            "UpdateItem",
            "GetItem",
            "GetItem",
            "Query",
            "Query",
            "Query",
            "Query"
        ]),
        "health/jobs: bucket + one last run per schedule + relay lag"
    );
}
