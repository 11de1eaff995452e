//! `template.yaml` routes every event the registry says has a consumer: the email rule
//! lists exactly the email-sending events, the audit rule takes every audited one, and
//! every queue (audit, email, the scheduled syncs) feeds one consumer that reports partial
//! batch failures; only the provider-jobs function sends to the sync queue.
//!
//! The template is read as text with the scanner in `template.rs`.
use std::collections::BTreeSet;

use dashtam_domain::platform::events::REGISTRY;

use crate::template::*;

#[test]
fn the_email_rule_lists_exactly_the_email_events() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let email_rules = rules_to(&rules, "EmailQueue");
    assert_eq!(email_rules.len(), 1, "{rules:#?}");
    let rule = email_rules[0];
    assert_eq!(rule.sources, ["dashtam"], "{rule:?}");

    let listed = rule
        .detail_types
        .clone()
        .expect("the email rule filters on detail-type");
    let listed_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(listed_set.len(), listed.len(), "duplicates in {listed:?}");
    let wanted: BTreeSet<&str> = REGISTRY
        .iter()
        .filter(|m| m.email.is_some())
        .map(|m| m.name)
        .collect();
    let missing: Vec<_> = wanted.difference(&listed_set).collect();
    let extra: Vec<_> = listed_set.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: detail-type must equal the registry's email events; add {missing:?}, remove {extra:?}",
        rule.name
    );
}

#[test]
fn every_audited_event_reaches_the_audit_queue() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let audit_rules = rules_to(&rules, "AuditQueue");
    assert!(!audit_rules.is_empty(), "no rule targets AuditQueue");
    // The audit rule takes the whole source, so new events need no template change.
    assert!(
        audit_rules
            .iter()
            .any(|r| r.sources == ["dashtam"] && r.detail_types.is_none()),
        "{audit_rules:#?}"
    );
    let unrouted: Vec<&str> = REGISTRY
        .iter()
        .filter(|m| m.audit)
        .map(|m| m.name)
        .filter(|name| !audit_rules.iter().any(|r| matches(r, name)))
        .collect();
    assert!(unrouted.is_empty(), "not routed to audit: {unrouted:?}");
}

#[test]
fn every_email_event_reaches_the_email_queue_and_nothing_else_does() {
    let res = resources(&lines(&template()));
    let rules = rules(&res);
    let email_rules = rules_to(&rules, "EmailQueue");
    for m in REGISTRY {
        let routed = email_rules.iter().any(|r| matches(r, m.name));
        assert_eq!(routed, m.email.is_some(), "{}", m.name);
    }
}

#[test]
fn every_queue_feeds_a_consumer_that_reports_partial_batch_failures() {
    let res = resources(&lines(&template()));
    for (queue, binary) in [
        ("AuditQueue", "dashtam-audit-consumer"),
        ("EmailQueue", "dashtam-email-consumer"),
        ("SyncQueue", "dashtam-sync-worker"),
    ] {
        let consumers: Vec<(&String, &Vec<Line>)> = res
            .iter()
            .filter(|(_, block)| {
                block
                    .iter()
                    .any(|l| l.text == format!("Queue: !GetAtt {queue}.Arn"))
            })
            .collect();
        assert_eq!(consumers.len(), 1, "{queue} has one consumer");
        let (name, block) = consumers[0];
        assert!(
            block.iter().any(|l| l.text == format!("Binary: {binary}")),
            "{name} runs {binary}"
        );
        // Nested under Events → <event> → Properties.
        let types = block
            .iter()
            .position(|l| l.text.starts_with("FunctionResponseTypes:"))
            .and_then(|i| list_at(block, i, "FunctionResponseTypes"))
            .unwrap_or_default();
        assert!(
            types.iter().any(|t| t == "ReportBatchItemFailures"),
            "{name} must report batch item failures (line {})",
            block[0].number
        );
    }
}

/// Nothing reaches the bus but through the outbox relay: it is the one function that may
/// publish, it reads the table's stream (new outbox items only), and it reports batch
/// item failures so a failed publish is retried rather than dropped.
#[test]
fn the_outbox_relay_is_the_only_publisher_and_reads_the_table_stream() {
    let res = resources(&lines(&template()));
    let publishers: Vec<&String> = res
        .iter()
        .filter(|(_, block)| block.iter().any(|l| l.text == "Action: events:PutEvents"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(publishers, ["OutboxRelayFunction"]);
    let relay = &res["OutboxRelayFunction"];
    let has = |text: &str| relay.iter().any(|l| l.text == text);
    assert!(has("Binary: dashtam-outbox-relay"));
    assert!(has("Type: DynamoDB"));
    assert!(has("Stream: !GetAtt Table.StreamArn"));
    assert!(
        has("MaximumRetryAttempts: -1"),
        "retried until the records expire"
    );
    assert!(
        relay
            .iter()
            .any(|l| l.text.contains(r#""eventName": ["INSERT"]"#) && l.text.contains("OUTBOX#")),
        "only new outbox items trigger it"
    );
    let types = relay
        .iter()
        .position(|l| l.text.starts_with("FunctionResponseTypes:"))
        .and_then(|i| list_at(relay, i, "FunctionResponseTypes"))
        .unwrap_or_default();
    assert_eq!(types, ["ReportBatchItemFailures"]);
}

/// Every event meant for the live stream names a category the stream serves (the audit
/// and email consumers are checked against the bus rules above).
#[test]
fn every_stream_and_email_consumer_of_the_registry_is_wired() {
    for m in REGISTRY {
        if let Some(stream) = m.stream {
            let category = m.stream_category().map(|c| c.as_str()).unwrap_or_default();
            assert!(
                dashtam_presentation::routes::events::CATEGORIES.contains(&category),
                "{}: live-stream type {stream} has no served category",
                m.name
            );
        }
    }
    let names: Vec<&str> = REGISTRY.iter().map(|m| m.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "event names are unique");
}

/// The sync queue is fed by the dispatcher alone (the provider-jobs function, on its
/// schedule) and postponed by the worker alone; its DLQ takes what failed five times.
#[test]
fn the_sync_queue_is_sent_to_by_the_dispatcher_and_postponed_by_the_worker() {
    let res = resources(&lines(&template()));
    let with = |text: &str| -> Vec<&String> {
        res.iter()
            .filter(|(name, block)| {
                name.ends_with("Function") && block.iter().any(|l| l.text == text)
            })
            .map(|(name, _)| name)
            .collect()
    };
    assert_eq!(with("Action: sqs:SendMessage"), ["ProviderJobsFunction"]);
    assert_eq!(
        with("Action: sqs:ChangeMessageVisibility"),
        ["SyncWorkerFunction"]
    );
    let queue = &res["SyncQueue"];
    assert!(
        queue
            .iter()
            .any(|l| l.text == "deadLetterTargetArn: !GetAtt SyncDeadLetterQueue.Arn")
    );
    assert!(queue.iter().any(|l| l.text == "maxReceiveCount: 5"));
    let jobs = &res["ProviderJobsFunction"];
    for input in [
        r#"Input: '{"job": "sync-dispatch"}'"#,
        r#"Input: '{"job": "token-care"}'"#,
    ] {
        assert!(jobs.iter().any(|l| l.text == input), "{input}");
    }
    // The worker's concurrency is capped for the providers' sake.
    assert!(res["SyncWorkerFunction"].iter().any(|l| {
        l.text
            .contains("MaximumConcurrency: !Ref SyncWorkerConcurrency")
    }));
}
