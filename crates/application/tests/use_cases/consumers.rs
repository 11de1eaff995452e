//! The consumers of events: the outbox relayed across a publisher outage, the audit
//! record and the email written once per event however often it is delivered.

use dashtam_application::platform::consumers::{RecordAudit, RelayOutbox, SendEmail};
use dashtam_domain::platform::ports::AuditRepository;
use std::sync::atomic::Ordering;

use crate::support::*;

/// Fault injection in memory: the bus is down while work commits, the relay fails, then
/// recovers; every event is delivered three times to both consumers, with the email
/// provider failing on the first round. Afterwards: nothing lost, one audit record per
/// event, at most one email per email event.
#[tokio::test]
async fn no_event_is_lost_or_counted_twice_across_a_publisher_outage() {
    let h = Harness::new();
    h.events.set_failing(true);
    let id = registered_and_verified(&h, "ada@example.com").await;
    assert!(
        h.store_user_exists(id).await,
        "work commits while the bus is down"
    );
    login(&h, "ada@example.com", PASSWORD).await.unwrap();
    assert!(
        login(&h, "ada@example.com", "Wr0ng!Password")
            .await
            .is_err()
    );

    let recorded = h.recorded();
    assert!(recorded.len() >= 8, "{recorded:?}");
    assert!(
        RelayOutbox { events: &recorded }
            .execute(&h.ports)
            .await
            .is_err()
    );
    assert_eq!(h.recorded(), recorded, "a failed relay keeps every event");

    h.events.set_failing(false);
    RelayOutbox { events: &recorded }
        .execute(&h.ports)
        .await
        .unwrap();
    assert!(h.recorded().is_empty(), "relayed events leave the outbox");
    assert_eq!(h.events.events(), recorded, "published once each, in order");

    let (mut audited, mut duplicates, mut emails) = (0, 0, 0);
    for round in 0..3 {
        h.email_down.store(round == 0, Ordering::SeqCst);
        for event in h.events.events() {
            if (RecordAudit { event: &event })
                .execute(&h.ports)
                .await
                .unwrap()
            {
                audited += 1;
            } else {
                duplicates += 1;
            }
            if let Ok(true) = (SendEmail { event: &event }).execute(&h.ports).await {
                emails += 1;
            }
        }
    }
    let email_events = recorded.iter().filter(|e| e.meta().email.is_some()).count();
    assert_eq!(audited, recorded.len());
    assert_eq!(duplicates, 2 * recorded.len());
    assert_eq!((emails, h.mailbox.count()), (email_events, email_events));
}

#[tokio::test]
async fn audit_records_each_event_once_and_keeps_no_tokens() {
    let h = Harness::new();
    let id = register(&h, "ada@example.com").await.unwrap();
    for event in h.recorded() {
        for _ in 0..3 {
            RecordAudit { event: &event }
                .execute(&h.ports)
                .await
                .unwrap();
        }
    }
    let records = AuditRepository::list_for_user(h.store.as_ref(), id, 100)
        .await
        .unwrap();
    assert_eq!(
        records.len(),
        1,
        "only the succeeded event carries the user id"
    );
    let record = &records[0];
    assert_eq!(record.action, "UserRegistrationSucceeded");
    assert_eq!(record.ip_address.as_deref(), Some("203.0.113.9"));
    assert!(record.context.get("verification_token").is_none());
    assert_eq!(record.context["email"], "ada@example.com");
}

#[tokio::test]
async fn an_email_goes_out_once_even_when_delivered_three_times() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let succeeded = h.recorded_named("UserRegistrationSucceeded");
    let mut sent = 0;
    for _ in 0..3 {
        if (SendEmail { event: &succeeded })
            .execute(&h.ports)
            .await
            .unwrap()
        {
            sent += 1;
        }
    }
    assert_eq!((sent, h.mailbox.count()), (1, 1));
    assert!(
        h.mailbox.messages_to("ada@example.com")[0]
            .text
            .contains(&verification_token(&h))
    );
}

#[tokio::test]
async fn a_failed_send_is_retried_on_redelivery() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let succeeded = h.recorded_named("UserRegistrationSucceeded");
    h.email_down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(
        SendEmail { event: &succeeded }
            .execute(&h.ports)
            .await
            .is_err()
    );
    h.email_down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(
        SendEmail { event: &succeeded }
            .execute(&h.ports)
            .await
            .unwrap()
    );
    assert_eq!(h.mailbox.count(), 1);
}

#[tokio::test]
async fn events_without_an_email_send_nothing() {
    let h = Harness::new();
    register(&h, "ada@example.com").await.unwrap();
    let attempted = h.recorded_named("UserRegistrationAttempted");
    assert!(
        !SendEmail { event: &attempted }
            .execute(&h.ports)
            .await
            .unwrap()
    );
    assert_eq!(h.mailbox.count(), 0);
}
