//! The live stream over HTTP, in process: `GET /api/v1/events` reading the feed the
//! outbox writes, with real time (it polls every second).

use std::time::Duration;

use crate::support::{PASSWORD, TestApp};
use axum::{
    body::Body,
    http::{Method, Request, header},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// An open event stream: the text received so far.
struct Stream {
    body: Body,
    text: String,
}

impl Stream {
    async fn open(app: &TestApp, access: &str, query: &str, last_id: Option<&str>) -> Self {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(format!("/api/v1/events{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {access}"));
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let response = app
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        Self {
            body: response.into_body(),
            text: String::new(),
        }
    }

    /// Reads until `needle` appeared or `wait` passed; whether it appeared.
    async fn read_until(&mut self, needle: &str, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while !self.text.contains(needle) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.text.push_str(std::str::from_utf8(&data).unwrap());
                    }
                }
                _ => return false,
            }
        }
        true
    }
}

/// The ids of the user's feed entries of `event_type`, oldest first.
fn feed_ids(app: &TestApp, event_name: &str) -> Vec<String> {
    app.published()
        .iter()
        .filter(|e| e.name() == event_name)
        .map(|e| e.event_id.to_string())
        .collect()
}

#[tokio::test]
async fn the_stream_needs_a_token_and_checks_its_parameters() {
    let app = TestApp::new();
    app.get("/api/v1/events", None).await.expect(401);
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    let r = app
        .get("/api/v1/events?categories=security,gossip", Some(&t.access))
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["field"], "categories");
    let r = app
        .get("/api/v1/events?last_event_id=yesterday", Some(&t.access))
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["field"], "Last-Event-ID");
}

#[tokio::test]
async fn new_security_events_arrive_live_after_the_retry_line() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    let mut stream = Stream::open(&app, &t.access, "", None).await;
    assert!(stream.read_until("\n\n", Duration::from_secs(2)).await);
    assert!(
        stream.text.starts_with("retry: 3000\n\n"),
        "{}",
        stream.text
    );

    // Something that happened before the connection is not replayed without an id...
    assert!(
        !stream
            .read_until("security.session.new", Duration::from_millis(1500))
            .await
    );
    // ...what happens now arrives as an id/event/data frame.
    app.login("ada@example.com", PASSWORD).await;
    let newest = feed_ids(&app, "SessionCreated").pop().unwrap();
    assert!(
        stream
            .read_until(&format!("id: {newest}"), Duration::from_secs(5))
            .await,
        "{}",
        stream.text
    );
    let frame = stream
        .text
        .split("\n\n")
        .find(|f| f.contains(&newest))
        .unwrap();
    assert!(frame.contains("event: security.session.new"), "{frame}");
    let data = frame
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["event_type"], "security.session.new");
    assert_eq!(data["event_id"], newest.as_str());
}

#[tokio::test]
async fn last_event_id_replays_what_came_after_it_and_categories_filter() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    app.login("ada@example.com", PASSWORD).await;
    let sessions = feed_ids(&app, "SessionCreated");
    assert_eq!(sessions.len(), 2);

    let mut stream = Stream::open(&app, &t.access, "", Some(&sessions[0])).await;
    assert!(
        stream
            .read_until(&format!("id: {}", sessions[1]), Duration::from_secs(3))
            .await
    );
    assert!(!stream.text.contains(&format!("id: {}", sessions[0])));

    let mut other = Stream::open(
        &app,
        &t.access,
        &format!("?categories=data_sync&last_event_id={}", sessions[0]),
        None,
    )
    .await;
    assert!(
        other
            .read_until("retry: 3000", Duration::from_secs(2))
            .await
    );
    assert!(!other.read_until("id: ", Duration::from_millis(2500)).await);
}

#[tokio::test]
async fn another_users_events_never_reach_the_stream() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    app.signup("bob@example.com").await;
    let ada = app.login("ada@example.com", PASSWORD).await;
    let mut stream = Stream::open(&app, &ada.access, "", None).await;
    app.login("bob@example.com", PASSWORD).await;
    let bobs = feed_ids(&app, "SessionCreated").pop().unwrap();
    assert!(!stream.read_until(&bobs, Duration::from_millis(2500)).await);
}

/// A quiet stream still sends a comment line at least every 30 s (here: 15 s of paused,
/// auto-advancing test time).
#[tokio::test(start_paused = true)]
async fn a_quiet_stream_sends_heartbeats() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    let t = app.login("ada@example.com", PASSWORD).await;
    let mut stream = Stream::open(&app, &t.access, "", None).await;
    let start = tokio::time::Instant::now();
    assert!(
        stream
            .read_until(": heartbeat\n", Duration::from_secs(30))
            .await
    );
    assert!(start.elapsed() <= Duration::from_secs(30));
    assert!(!stream.text.contains("id: "));
}
