//! The sample SQS and DynamoDB stream events in `events/` run through the consumers'
//! `handle_sqs_event` and the relay's `handle_stream_event`.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aws_lambda_events::event::sqs::SqsEvent;
use dashtam_application::{IdentityPorts, Ports};
use dashtam_container::{Config, Consumer, handle_sqs_event, handle_stream_event, memory_ports};
use dashtam_domain::platform::events::{DomainEvent, EventContext, EventPayload};
use dashtam_infrastructure::messaging::{envelope, parse_envelope};
use serde_json::{Value, json};

use crate::support::*;

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

/// A consumer's ports, as deployed without the identity context (`consumer_ports`).
fn ports_with_mailbox(dir: Option<&Path>) -> Ports {
    let mut config = Config::in_memory().unwrap();
    config.mailbox_dir = dir.map(Path::to_path_buf);
    let mut ports = memory_ports(&config).ports;
    ports.identity = IdentityPorts::unwired();
    ports
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
    // The sync queue's messages are not bus envelopes (tests/container/lambda_sync.rs).
    for path in fixtures("sqs-")
        .into_iter()
        .filter(|p| !p.ends_with("sqs-sync.json"))
    {
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
                    let records = ports.platform.audit.list_for_user(user, 100).await.unwrap();
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
            Consumer::Imports => unreachable!("the fixtures are events"),
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
    let records = ports.platform.audit.list_for_user(user, 100).await.unwrap();
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
    assert_eq!(
        ports
            .platform
            .audit
            .list_for_user(user, 10)
            .await
            .unwrap()
            .len(),
        1
    );
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
        // As deployed (`relay_ports`): the relay has no identity context.
        memory.ports.identity = IdentityPorts::unwired();
        let response = handle_stream_event(&memory.ports, event.clone()).await;
        assert!(response.batch_item_failures.is_empty(), "{path:?}");
        let published: Vec<DomainEvent> =
            std::iter::from_fn(|| memory.published.as_mut()?.try_recv().ok()).collect();
        let names: Vec<&str> = published.iter().map(DomainEvent::name).collect();
        assert_eq!(names, ["UserLoginFailed"], "{path:?}");
        assert_eq!(
            published[0].event_id.to_string(),
            "01a1f000-0000-7000-8000-000000000001"
        );

        let failing = Arc::new(dashtam_infrastructure::memory::RecordingPublisher::default());
        failing.set_failing(true);
        let mut ports = memory_ports(&config).ports;
        ports.platform.events = failing;
        let response = handle_stream_event(&ports, event).await;
        let failed: Vec<Option<String>> = response
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        assert_eq!(failed, [Some("100".to_owned())], "{path:?}");
    }
}
