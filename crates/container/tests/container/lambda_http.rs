//! The sample API Gateway v2 events in `events/` (shared with `cargo lambda invoke`) run
//! through `client_ip_layer(app(..))`, the HTTP functions' router.

use axum::body::Body;
use dashtam_container::Config;
use dashtam_domain::platform::events::{DomainEvent, EventPayload};
use serde_json::{Value, json};

use crate::support::*;

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
        let function = Function::new(&Config::in_memory().unwrap());
        let (status, _, body) = function.invoke(&event).await;
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
    let mut function = Function::new(&Config::in_memory().unwrap());
    let mut register = fixture("apigw-register.json");
    // API Gateway's source IP is the truth; X-Forwarded-For is whatever the client sent.
    register["requestContext"]["http"]["sourceIp"] = json!("192.0.2.55");
    register["headers"]["x-forwarded-for"] = json!("10.9.9.9");
    let (status, _, body) = function.invoke(&register).await;
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
    let mut function = Function::new(&Config::in_memory().unwrap());
    let register = fixture("apigw-register.json");
    let login = fixture("apigw-login.json");
    let ip = source_ip(&login);

    let (status, _, body) = function.invoke(&login).await;
    assert_eq!(status, 401, "unknown user: {body}");
    let (status, _, body) = function.invoke(&register).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = function.invoke(&login).await;
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
    let (status, _, body) = function.invoke(&verify).await;
    assert_eq!(status, 201, "{body}");

    let (status, _, body) = function.invoke(&login).await;
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
    let (status, _, body) = function.invoke(&list).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sessions"][0]["ip_address"], ip.as_str());
    assert_eq!(body["sessions"][0]["is_current"], true);
}

#[tokio::test]
async fn without_an_api_gateway_context_there_is_no_client_ip() {
    let mut function = Function::new(&Config::in_memory().unwrap());
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
