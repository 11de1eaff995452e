//! The sample Lambda events in `events/` (shared with `cargo lambda invoke`) run through
//! the same adapters the functions use: API Gateway v2 requests through
//! `client_ip_layer(app(..))`, SQS batches through `handle_sqs_event`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aws_lambda_events::event::sqs::SqsEvent;
use axum::{Router, body::Body};
use dashtam_application::Ports;
use dashtam_container::{
    Config, Consumer, app_state, client_ip_layer, handle_sqs_event, handle_stream_event,
    memory_ports,
};
use dashtam_domain::{
    events::{DomainEvent, EventContext, EventPayload},
    ports::EventOutbox,
};
use dashtam_infrastructure::{
    memory::MemoryStore,
    messaging::{envelope, parse_envelope},
};
use dashtam_presentation::{Group, app};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

/// The fixtures whose file name starts with `prefix`, sorted.
fn fixtures(prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(events_dir())
        .expect("events/ next to the workspace manifest")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no events/{prefix}*.json");
    files
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(name: &str) -> Value {
    read_json(&events_dir().join(name))
}

/// An HTTP function as Lambda runs it, over memory ports.
struct Function {
    router: Router,
    store: Arc<MemoryStore>,
}

impl Function {
    fn new() -> Self {
        let config = Config::in_memory().unwrap();
        let memory = memory_ports(&config);
        let state = app_state(memory.ports, &config);
        Self {
            router: client_ip_layer(app(state, &Group::ALL)),
            store: memory.store,
        }
    }

    /// Runs an API Gateway v2 event (as JSON) through the router.
    async fn invoke(&self, event: &Value) -> (u16, Value) {
        let request = lambda_http::request::from_str(&event.to_string())
            .expect("an API Gateway v2 request event");
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Everything the outbox received since the last drain.
    async fn drain(&mut self) -> Vec<DomainEvent> {
        let out = self.store.pending_events(usize::MAX);
        let ids: Vec<_> = out.iter().map(|e| e.event_id).collect();
        self.store.acknowledge(&ids).await.unwrap();
        out
    }

    /// A plain in-process request (no API Gateway context).
    async fn plain(&self, req: axum::http::Request<Body>) -> (u16, Value) {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

fn source_ip(event: &Value) -> String {
    event["requestContext"]["http"]["sourceIp"]
        .as_str()
        .expect("requestContext.http.sourceIp")
        .to_owned()
}

/// What each fixture must answer on a fresh in-memory stack.
fn expected_status(method: &str, path: &str) -> Option<u16> {
    match (method, path) {
        ("POST", "/api/v1/users") => Some(201),
        ("GET", "/health" | "/") => Some(200),
        // Nobody is registered yet.
        ("POST", "/api/v1/sessions") => Some(401),
        _ => None,
    }
}

#[tokio::test]
async fn every_api_gateway_fixture_is_served() {
    for path in fixtures("apigw-") {
        let event = read_json(&path);
        let method = event["requestContext"]["http"]["method"].as_str().unwrap();
        let raw_path = event["rawPath"].as_str().unwrap();
        let function = Function::new();
        let (status, body) = function.invoke(&event).await;
        match expected_status(method, raw_path) {
            Some(want) => assert_eq!(status, want, "{}: {body}", path.display()),
            // A fixture this test does not know yet must still hit a real route.
            None => assert!(
                status < 500 && status != 404 && status != 405,
                "{}: {status} {body}",
                path.display()
            ),
        }
    }
}

#[tokio::test]
async fn the_source_ip_of_the_event_reaches_the_events_and_not_forwarded_headers() {
    let mut function = Function::new();
    let mut register = fixture("apigw-register.json");
    // API Gateway's source IP is the truth; X-Forwarded-For is whatever the client sent.
    register["requestContext"]["http"]["sourceIp"] = json!("192.0.2.55");
    register["headers"]["x-forwarded-for"] = json!("10.9.9.9");
    let (status, body) = function.invoke(&register).await;
    assert_eq!(status, 201, "{body}");

    let published = function.drain().await;
    let names: Vec<&str> = published.iter().map(DomainEvent::name).collect();
    assert_eq!(
        names,
        ["UserRegistrationAttempted", "UserRegistrationSucceeded"]
    );
    for e in &published {
        assert_eq!(e.context.ip_address.as_deref(), Some("192.0.2.55"));
        assert_eq!(e.context.user_agent.as_deref(), Some("curl/8.5.0"));
        assert!(e.context.trace_id.is_some());
    }
}

#[tokio::test]
async fn login_fixture_follows_the_identity_rules_and_records_the_source_ip() {
    let mut function = Function::new();
    let register = fixture("apigw-register.json");
    let login = fixture("apigw-login.json");
    let ip = source_ip(&login);

    let (status, body) = function.invoke(&login).await;
    assert_eq!(status, 401, "unknown user: {body}");
    let (status, body) = function.invoke(&register).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = function.invoke(&login).await;
    assert_eq!(status, 403, "unverified user: {body}");
    assert_eq!(
        body["type"].as_str().unwrap().rsplit('/').next(),
        Some("forbidden")
    );

    // Verify with the token the registration published.
    let token = function
        .drain()
        .await
        .into_iter()
        .find_map(|e| match e.payload {
            EventPayload::UserRegistrationSucceeded {
                verification_token, ..
            } => Some(verification_token),
            _ => None,
        })
        .expect("a verification token");
    let mut verify = register.clone();
    verify["rawPath"] = json!("/api/v1/email-verifications");
    verify["routeKey"] = json!("POST /api/v1/email-verifications");
    verify["requestContext"]["http"]["path"] = json!("/api/v1/email-verifications");
    verify["requestContext"]["routeKey"] = json!("POST /api/v1/email-verifications");
    verify["body"] = json!(json!({ "token": token }).to_string());
    let (status, body) = function.invoke(&verify).await;
    assert_eq!(status, 201, "{body}");

    let (status, body) = function.invoke(&login).await;
    assert_eq!(status, 201, "{body}");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let login_events = function.drain().await;
    let created = login_events
        .iter()
        .find(|e| e.name() == "SessionCreated")
        .expect("SessionCreated");
    assert_eq!(created.context.ip_address.as_deref(), Some(ip.as_str()));

    // The session remembers where it came from.
    let mut list = fixture("apigw-health.json");
    list["rawPath"] = json!("/api/v1/sessions");
    list["routeKey"] = json!("GET /api/v1/sessions");
    list["requestContext"]["http"]["path"] = json!("/api/v1/sessions");
    list["requestContext"]["routeKey"] = json!("GET /api/v1/sessions");
    list["headers"]["authorization"] = json!(format!("Bearer {access}"));
    let (status, body) = function.invoke(&list).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sessions"][0]["ip_address"], ip.as_str());
    assert_eq!(body["sessions"][0]["is_current"], true);
}

#[tokio::test]
async fn without_an_api_gateway_context_there_is_no_client_ip() {
    let mut function = Function::new();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/users")
        .header("content-type", "application/json")
        .header("x-forwarded-for", "10.1.2.3")
        .body(Body::from(
            json!({"email": "plain@example.com", "password": "Str0ng!Passw0rd"}).to_string(),
        ))
        .unwrap();
    let (status, body) = function.plain(req).await;
    assert_eq!(status, 201, "{body}");
    for e in function.drain().await {
        assert_eq!(e.context.ip_address, None, "{}", e.name());
    }
}

// ---- SQS -----------------------------------------------------------------------------

fn sqs_event(records: &[(&str, Option<String>)]) -> SqsEvent {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, body)| {
            let mut r = json!({
                "messageId": id,
                "receiptHandle": format!("handle-{id}"),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:dashtam-audit-test",
                "awsRegion": "us-east-1",
            });
            if let Some(b) = body {
                r["body"] = json!(b);
            }
            r
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn failed_ids(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

fn event_for(user_id: uuid::Uuid) -> DomainEvent {
    DomainEvent::new(
        EventPayload::UserLoginFailed {
            email: "someone@example.com".into(),
            reason: "invalid_credentials".into(),
        },
        Some(user_id),
        &EventContext {
            ip_address: Some("203.0.113.9".into()),
            user_agent: Some("curl/8.5.0".into()),
            trace_id: Some("trace-1".into()),
        },
        chrono::Utc::now(),
    )
}

fn ports_with_mailbox(dir: Option<&Path>) -> Ports {
    let mut config = Config::in_memory().unwrap();
    config.mailbox_dir = dir.map(Path::to_path_buf);
    memory_ports(&config).ports
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("dashtam-lambda-events-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "json") {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn sqs_fixtures_are_valid_envelopes_consumed_once() {
    for path in fixtures("sqs-") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read_to_string(&path).unwrap();
        let event: SqsEvent = serde_json::from_str(&raw)
            .unwrap_or_else(|e| panic!("{name} is not an SQS event: {e}"));
        assert!(!event.records.is_empty(), "{name}");
        let consumer = if name.contains("email") {
            Consumer::Email
        } else {
            Consumer::Audit
        };

        let mut domain_events = Vec::new();
        for record in &event.records {
            let body = record.body.as_deref().expect("a body");
            let envelope_json: Value = serde_json::from_str(body).unwrap();
            let e = parse_envelope(body)
                .unwrap_or_else(|err| panic!("{name}: not a valid envelope: {err}"));
            assert_eq!(envelope_json["detail-type"], e.name(), "{name}");
            assert_eq!(envelope_json["source"], "dashtam", "{name}");
            if consumer == Consumer::Email {
                assert!(
                    e.meta().email.is_some(),
                    "{name}: {} sends no email",
                    e.name()
                );
            }
            domain_events.push(e);
        }

        let mailbox = TempDir::new();
        let ports = ports_with_mailbox(Some(&mailbox.0));
        for _ in 0..3 {
            let response = handle_sqs_event(&ports, consumer, event.clone()).await;
            assert!(
                response.batch_item_failures.is_empty(),
                "{name}: {:?}",
                failed_ids(&response)
            );
        }
        match consumer {
            Consumer::Audit => {
                for e in &domain_events {
                    let user = e.user_id.expect("the fixture's event has a user");
                    let records = ports.audit.list_for_user(user, 100).await.unwrap();
                    let matching: Vec<_> = records
                        .iter()
                        .filter(|r| r.event_id == e.event_id)
                        .collect();
                    assert_eq!(matching.len(), 1, "{name}: {records:?}");
                    assert_eq!(matching[0].action, e.name());
                    assert_eq!(matching[0].ip_address, e.context.ip_address);
                    assert!(
                        !matching[0].context.to_string().contains("_token"),
                        "{name}: the audit trail keeps no token"
                    );
                }
            }
            Consumer::Email => {
                assert_eq!(mailbox.files().len(), domain_events.len(), "{name}");
            }
        }
    }
}

#[tokio::test]
async fn invalid_messages_are_reported_by_id_and_valid_ones_recorded_once() {
    let ports = ports_with_mailbox(None);
    let user = uuid::Uuid::now_v7();
    let good = event_for(user);
    let good_body = envelope(&good).to_string();
    let batch = sqs_event(&[
        ("good-1", Some(good_body.clone())),
        ("bad-json", Some("not json at all".into())),
        (
            "bad-detail",
            Some(r#"{"source":"dashtam","detail":{"event_id":"x"}}"#.into()),
        ),
        ("no-detail", Some(r#"{"source":"dashtam"}"#.into())),
        ("no-body", None),
        ("good-again", Some(good_body.clone())),
    ]);
    let response = handle_sqs_event(&ports, Consumer::Audit, batch).await;
    assert_eq!(
        failed_ids(&response),
        ["bad-json", "bad-detail", "no-detail", "no-body"]
    );

    // Redelivered twice more: still one record.
    for _ in 0..2 {
        let response = handle_sqs_event(
            &ports,
            Consumer::Audit,
            sqs_event(&[("good-1", Some(good_body.clone()))]),
        )
        .await;
        assert!(response.batch_item_failures.is_empty());
    }
    let records = ports.audit.list_for_user(user, 100).await.unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r.event_id, good.event_id);
    assert_eq!(r.action, "UserLoginFailed");
    assert_eq!(r.user_id, Some(user));
    assert_eq!(r.ip_address.as_deref(), Some("203.0.113.9"));
    assert_eq!(r.user_agent.as_deref(), Some("curl/8.5.0"));
    assert_eq!(r.context["reason"], "invalid_credentials");

    // The email consumer ignores events that send no email, without failing them.
    let response = handle_sqs_event(
        &ports,
        Consumer::Email,
        sqs_event(&[("good-1", Some(good_body))]),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn detail_as_a_json_string_is_accepted() {
    let ports = ports_with_mailbox(None);
    let user = uuid::Uuid::now_v7();
    let e = event_for(user);
    let mut env = envelope(&e);
    env["detail"] = json!(serde_json::to_string(&e).unwrap());
    let response = handle_sqs_event(
        &ports,
        Consumer::Audit,
        sqs_event(&[("m-1", Some(env.to_string()))]),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(ports.audit.list_for_user(user, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn email_events_send_one_email_per_event_however_often_delivered() {
    let mailbox = TempDir::new();
    let ports = ports_with_mailbox(Some(&mailbox.0));
    let e = DomainEvent::new(
        EventPayload::PasswordResetRequestSucceeded {
            email: "reset@example.com".into(),
            reset_token: "ab".repeat(32),
        },
        Some(uuid::Uuid::now_v7()),
        &EventContext::default(),
        chrono::Utc::now(),
    );
    let body = envelope(&e).to_string();
    for _ in 0..3 {
        let response = handle_sqs_event(
            &ports,
            Consumer::Email,
            sqs_event(&[("e-1", Some(body.clone())), ("e-2", Some(body.clone()))]),
        )
        .await;
        assert!(response.batch_item_failures.is_empty());
    }
    let files = mailbox.files();
    assert_eq!(files.len(), 1, "{files:?}");
    let message: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(message["to"], "reset@example.com");
}

/// The relay's DynamoDB stream fixture through its Lambda handler: the outbox insert is
/// published; the feed insert and the removal are not. A failed publish reports the batch
/// failed from its first record, so Lambda retries it.
#[tokio::test]
async fn the_stream_fixture_runs_through_the_relay_handler() {
    let config = Config::in_memory().unwrap();
    for path in fixtures("dynamodb-stream") {
        let event: aws_lambda_events::event::dynamodb::Event =
            serde_json::from_value(read_json(&path)).unwrap();
        let mut memory = memory_ports(&config);
        let response = handle_stream_event(&memory.ports, event.clone()).await;
        assert!(response.batch_item_failures.is_empty(), "{path:?}");
        let published: Vec<DomainEvent> =
            std::iter::from_fn(|| memory.published.try_recv().ok()).collect();
        let names: Vec<&str> = published.iter().map(DomainEvent::name).collect();
        assert_eq!(names, ["UserLoginFailed"], "{path:?}");
        assert_eq!(
            published[0].event_id.to_string(),
            "01a1f000-0000-7000-8000-000000000001"
        );

        let failing = Arc::new(dashtam_infrastructure::memory::RecordingPublisher::default());
        failing.set_failing(true);
        let mut ports = memory_ports(&config).ports;
        ports.events = failing;
        let response = handle_stream_event(&ports, event).await;
        let failed: Vec<Option<String>> = response
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        assert_eq!(failed, [Some("100".to_owned())], "{path:?}");
    }
}
