//! A provisioned stack routes events from the bus to the queues as template.yaml says.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

use std::time::Duration;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use dashtam_testkit::{Stack, provision_stack};

async fn put_event(stack: &Stack, detail_type: &str, event_id: &str) {
    let events = aws_sdk_eventbridge::Client::new(&stack.sdk);
    let entry = PutEventsRequestEntry::builder()
        .event_bus_name(stack.var("DASHTAM_EVENT_BUS"))
        .source("dashtam")
        .detail_type(detail_type)
        .detail(format!(r#"{{"event_id":"{event_id}"}}"#))
        .build();
    let out = events
        .put_events()
        .entries(entry)
        .send()
        .await
        .expect("PutEvents");
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");
}

/// The EventBridge envelopes that arrive on a queue.
async fn receive(
    stack: &Stack,
    queue_var: &str,
    want: usize,
    wait: Duration,
) -> Vec<serde_json::Value> {
    let bodies = stack.receive(queue_var, want, wait).await;
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).expect("EventBridge envelope JSON"))
        .collect()
}

fn detail_types(envelopes: &[serde_json::Value]) -> Vec<&str> {
    let mut types: Vec<&str> = envelopes
        .iter()
        .filter_map(|e| e["detail-type"].as_str())
        .collect();
    types.sort_unstable();
    types
}

#[tokio::test]
async fn put_events_reach_the_audit_queue() {
    let stack = provision_stack().await;
    put_event(&stack, "UserRegistrationSucceeded", "evt-1").await;

    let got = receive(
        &stack,
        "DASHTAM_AUDIT_QUEUE_URL",
        1,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["source"], "dashtam");
    assert_eq!(got[0]["detail-type"], "UserRegistrationSucceeded");
    assert_eq!(got[0]["detail"]["event_id"], "evt-1");
}

#[tokio::test]
async fn only_email_events_reach_the_email_queue() {
    let stack = provision_stack().await;
    put_event(&stack, "PasswordResetRequestSucceeded", "evt-email").await;
    put_event(&stack, "UserLoginSucceeded", "evt-login").await;

    let audit = receive(
        &stack,
        "DASHTAM_AUDIT_QUEUE_URL",
        2,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        detail_types(&audit),
        ["PasswordResetRequestSucceeded", "UserLoginSucceeded"]
    );
    // Both events were delivered by now; anything routed to email is there too.
    let email = receive(&stack, "DASHTAM_EMAIL_QUEUE_URL", 2, Duration::from_secs(2)).await;
    assert_eq!(detail_types(&email), ["PasswordResetRequestSucceeded"]);
}

#[tokio::test]
async fn stacks_are_isolated_and_complete() {
    let (a, b) = tokio::join!(provision_stack(), provision_stack());
    assert_ne!(a.env, b.env);
    assert_eq!(a.var("DASHTAM_TABLE"), format!("dashtam-{}", a.env));
    assert_ne!(
        a.var("DASHTAM_AUDIT_QUEUE_URL"),
        b.var("DASHTAM_AUDIT_QUEUE_URL")
    );
    for name in [
        "DASHTAM_TABLE",
        "DASHTAM_EVENT_BUS",
        "DASHTAM_AUDIT_QUEUE_URL",
        "DASHTAM_AUDIT_DLQ_URL",
        "DASHTAM_EMAIL_QUEUE_URL",
        "DASHTAM_EMAIL_DLQ_URL",
        "DASHTAM_JWT_SECRET_ID",
        "DASHTAM_EMAIL_FROM",
    ] {
        assert!(!a.var(name).is_empty(), "{name}");
    }
    assert_eq!(
        a.var("DASHTAM_JWT_SECRET_ID"),
        format!("dashtam/{}/jwt-signing-key", a.env)
    );
}
