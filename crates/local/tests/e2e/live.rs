//! A login from a new device reaches the live stream and the mailbox.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

/// The live stream over the local stack: a login from a new device reaches an open
/// `GET /api/v1/events` (through the outbox's feed in the emulated table) and mails a
/// "new sign-in" alert; `Last-Event-ID` replays it on a fresh connection.
#[tokio::test]
async fn a_new_device_login_reaches_the_live_stream_and_the_mailbox() {
    let s = start().await;
    let email = "sse@example.com";
    s.signup(email).await;
    let login = |agent: &'static str| {
        s.http
            .post(format!("{}/api/v1/sessions", s.base))
            .header("user-agent", agent)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
    };
    let first: Value = login("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = first["access_token"].as_str().unwrap().to_owned();

    let open = |last_id: Option<String>| {
        let mut req = s
            .http
            .get(format!("{}/api/v1/events?categories=security", s.base))
            .bearer_auth(&access);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        req.send()
    };
    let mut stream = open(None).await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut logged_in_again = false;
    while !text.contains("event: security.session.new") {
        assert!(Instant::now() < deadline, "no live event: {text}");
        if text.contains("retry: 3000") && !logged_in_again {
            login(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
            )
            .await
            .unwrap();
            logged_in_again = true;
        }
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(text.starts_with("retry: 3000"), "{text}");
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_owned();
    drop(stream);

    // The second device was new: an alert is in the mailbox.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, mails) = s
            .call(
                reqwest::Method::GET,
                &format!("/_local/mailbox?to={email}"),
                None,
                None,
            )
            .await;
        let alerts = mails
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["subject"] == "New sign-in to your Dashtam account")
            .count();
        if alerts == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no new-device email: {mails}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Reconnecting with Last-Event-ID: from before the event it is replayed; from the
    // event itself, nothing older comes back.
    let read_for = |mut response: reqwest::Response, wait: Duration| async move {
        let mut out = String::new();
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Ok(Ok(Some(chunk))) =
                tokio::time::timeout(Duration::from_millis(300), response.chunk()).await
            {
                out.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        out
    };
    let replayed = read_for(
        open(Some(uuid::Uuid::nil().to_string())).await.unwrap(),
        Duration::from_secs(3),
    )
    .await;
    assert!(replayed.contains(&format!("id: {id}")), "{replayed}");
    let after = read_for(
        open(Some(id.clone())).await.unwrap(),
        Duration::from_secs(3),
    )
    .await;
    assert!(after.starts_with("retry: 3000"), "{after}");
    assert!(!after.contains(&id), "{after}");
}
