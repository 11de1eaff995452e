//! No event lost, none counted twice — fault injection against the emulated AWS.
//!
//! The real DynamoDB outbox, the table's stream, EventBridge with its rules, the SQS
//! queues and the consumers. Work commits while the event bus is down; the relay fails
//! and retries; a relay "crash" after publishing makes it publish the batch twice; an
//! audit consumer crashes half-way through a batch (nothing deleted, the messages come
//! back); every email message is delivered three times. Afterwards every event has
//! exactly one audit record and every email event sent one email.
//!
//! `cargo test -p dashtam-container --test container outbox_faults -- --nocapture` prints the
//! figures.

use std::{
    cell::Cell,
    collections::{BTreeMap, BTreeSet},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use dashtam_application::{
    Ports,
    identity::commands::{Authenticate, Login, Logout, RegisterUser, VerifyEmail},
    platform::consumers::{RecordAudit, RelayOutbox, SendEmail},
};
use dashtam_domain::{
    identity::value_objects::Email,
    platform::{
        events::{DomainEvent, EventContext, EventPayload},
        ports::{EventPublisher, PublishError},
    },
};
use dashtam_infrastructure::{
    dynamodb::{StreamReader, Table},
    memory::{MemoryMailbox, MemoryRateLimits},
    messaging::{EventBridgePublisher, parse_envelope},
    security::Argon2Hasher,
};
use dashtam_testkit::Stack;
use uuid::Uuid;

use crate::support::{PASSWORD, table_ports};

/// The real EventBridge publisher behind a switch: down means every publish fails.
struct Switchable {
    inner: EventBridgePublisher,
    down: AtomicBool,
}

#[async_trait]
impl EventPublisher for Switchable {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PublishError("injected: event bus unreachable".into()));
        }
        self.inner.publish(events).await
    }
}

fn ports(stack: &Stack, bus: Arc<Switchable>, mailbox: Arc<MemoryMailbox>) -> Ports {
    let table = Table::new(
        aws_sdk_dynamodb::Client::new(&stack.sdk),
        stack.var("DASHTAM_TABLE").to_owned(),
    );
    let mut ports = table_ports(&table, bus, mailbox);
    // Unlimited, and a cheap hash: the scenario is about the events.
    ports.platform.rate_limits = Arc::new(MemoryRateLimits::new());
    ports.identity.hasher = Arc::new(Argon2Hasher::with_params(1024, 1, 1).unwrap());
    ports
}

fn ctx(agent: &str) -> EventContext {
    EventContext {
        ip_address: Some("203.0.113.9".into()),
        user_agent: Some(agent.into()),
        trace_id: None,
    }
}

const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const FIREFOX_WIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

/// Users sign up, verify, log in (twice, from two devices), fail a password and log out.
async fn do_work(ports: &Ports, stream: &mut StreamReader, users: usize) {
    for i in 0..users {
        let email = format!("user{i}@example.com");
        RegisterUser {
            email: Email::parse(&email).unwrap(),
            password: PASSWORD.into(),
            context: ctx(CHROME_MAC),
        }
        .execute(ports)
        .await
        .unwrap();
    }
    // The verification tokens travel only in the events: read them off the stream, the
    // way the relay sees them (the reader starts at the stream's beginning).
    let tokens: Vec<String> = stream
        .next_events()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.payload {
            EventPayload::UserRegistrationSucceeded {
                verification_token, ..
            } => Some(verification_token),
            _ => None,
        })
        .collect();
    assert_eq!(tokens.len(), users);
    for (i, token) in tokens.into_iter().enumerate() {
        let email = Email::parse(&format!("user{i}@example.com")).unwrap();
        VerifyEmail {
            token,
            context: ctx(CHROME_MAC),
        }
        .execute(ports)
        .await
        .unwrap();
        let login = |agent: &'static str, password: &'static str| Login {
            email: email.clone(),
            password: password.into(),
            context: ctx(agent),
        };
        login(CHROME_MAC, PASSWORD).execute(ports).await.unwrap();
        let pair = login(FIREFOX_WIN, PASSWORD).execute(ports).await.unwrap();
        assert!(
            login(CHROME_MAC, "Wr0ng!Passw0rd")
                .execute(ports)
                .await
                .is_err()
        );
        let principal = Authenticate {
            bearer: &pair.access_token,
        }
        .execute(ports)
        .await
        .unwrap();
        Logout {
            principal,
            refresh_token: pair.refresh_token,
            context: ctx(FIREFOX_WIN),
        }
        .execute(ports)
        .await
        .unwrap();
    }
}

/// Every message body on a queue, received with a short visibility timeout and NOT
/// deleted: a consumer that dies after reading.
async fn receive_without_deleting(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
) -> Vec<aws_sdk_sqs::types::Message> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    out.messages.unwrap_or_default()
}

async fn outbox_item_exists(stack: &Stack, event_id: Uuid) -> bool {
    aws_sdk_dynamodb::Client::new(&stack.sdk)
        .get_item()
        .table_name(stack.var("DASHTAM_TABLE"))
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("OUTBOX#{event_id}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("OUTBOX".into()),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_delivered_and_recorded_exactly_once_despite_faults() {
    let stack = dashtam_testkit::provision_stack().await;
    let bus = Arc::new(Switchable {
        inner: EventBridgePublisher::new(
            aws_sdk_eventbridge::Client::new(&stack.sdk),
            stack.var("DASHTAM_EVENT_BUS").to_owned(),
        ),
        down: AtomicBool::new(true),
    });
    let mailbox = Arc::new(MemoryMailbox::default());
    let ports = ports(&stack, bus.clone(), mailbox.clone());
    let mut stream = StreamReader::open(&stack.sdk, stack.var("DASHTAM_TABLE"))
        .await
        .unwrap();

    // 1. Work commits while the bus is down (the use cases never publish themselves).
    do_work(&ports, &mut stream, 3).await;
    let mut committed = Vec::new();
    // A fresh reader sees everything, including what do_work already read.
    let mut relay_view = StreamReader::open(&stack.sdk, stack.var("DASHTAM_TABLE"))
        .await
        .unwrap();
    loop {
        let batch = relay_view.next_events().await.unwrap();
        if batch.is_empty() {
            break;
        }
        committed.extend(batch);
    }
    let ids: BTreeSet<Uuid> = committed.iter().map(|e| e.event_id).collect();
    assert_eq!(ids.len(), committed.len(), "the stream has each event once");

    // 2. The relay fails while the bus is down: nothing is acknowledged.
    let mut failed_attempts = 0;
    for _ in 0..3 {
        assert!(
            RelayOutbox { events: &committed }
                .execute(&ports)
                .await
                .is_err()
        );
        failed_attempts += 1;
    }
    for e in committed.iter().take(5) {
        assert!(outbox_item_exists(&stack, e.event_id).await);
    }

    // 3. The bus is back. The relay publishes; then, as if it had crashed before
    //    recording success, the same batch is published again (a Lambda retry).
    bus.down.store(false, Ordering::SeqCst);
    RelayOutbox { events: &committed }
        .execute(&ports)
        .await
        .unwrap();
    bus.inner.publish(&committed).await.unwrap();
    for e in committed.iter().take(5) {
        assert!(
            !outbox_item_exists(&stack, e.event_id).await,
            "acknowledged"
        );
    }

    // 4. Audit consumer: crashes half-way through its first batch (records 5, deletes
    //    nothing), then the messages come back and it drains the queue.
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let audit_url = stack.var("DASHTAM_AUDIT_QUEUE_URL").to_owned();
    let (recorded, duplicates, delivered) = (Cell::new(0), Cell::new(0), Cell::new(0));
    // One delivery to the consumer: recorded the first time, a duplicate after.
    let consume = |body: &str| {
        let event = parse_envelope(body).unwrap();
        delivered.set(delivered.get() + 1);
        let (ports, recorded, duplicates) = (&ports, &recorded, &duplicates);
        async move {
            let counter = match (RecordAudit { event: &event }).execute(ports).await {
                Ok(true) => recorded,
                Ok(false) => duplicates,
                Err(e) => panic!("audit consumer failed: {e}"),
            };
            counter.set(counter.get() + 1);
        }
    };
    let first = receive_without_deleting(&sqs, &audit_url).await;
    assert!(!first.is_empty());
    for m in first.iter().take(5) {
        consume(m.body().unwrap()).await;
    }
    for m in &first {
        // The crashed worker's messages become visible again (its timeout, shortened).
        sqs.change_message_visibility()
            .queue_url(&audit_url)
            .receipt_handle(m.receipt_handle().unwrap())
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    let mut idle = 0;
    while idle < 3 {
        let messages = receive_without_deleting(&sqs, &audit_url).await;
        if messages.is_empty() {
            idle += 1;
            continue;
        }
        idle = 0;
        for m in messages {
            consume(m.body().unwrap()).await;
            sqs.delete_message()
                .queue_url(&audit_url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }

    // 5. Email consumer: every message delivered three times.
    let email_bodies = stack
        .receive(
            "DASHTAM_EMAIL_QUEUE_URL",
            usize::MAX,
            Duration::from_secs(6),
        )
        .await;
    let mut emails = 0;
    for _ in 0..3 {
        for body in &email_bodies {
            let event = parse_envelope(body).unwrap();
            if (SendEmail { event: &event }).execute(&ports).await.unwrap() {
                emails += 1;
            }
        }
    }

    let (recorded, duplicates, delivered) = (recorded.get(), duplicates.get(), delivered.get());

    // Afterwards: one audit record per event, nothing lost; one email per email event.
    let mut per_user: BTreeMap<Uuid, usize> = BTreeMap::new();
    for e in &committed {
        if let Some(user) = e.user_id {
            *per_user.entry(user).or_default() += 1;
        }
    }
    for (user, want) in &per_user {
        let have = ports
            .platform
            .audit
            .list_for_user(*user, 1000)
            .await
            .unwrap();
        let distinct: BTreeSet<Uuid> = have.iter().map(|r| r.event_id).collect();
        assert_eq!((have.len(), distinct.len()), (*want, *want), "user {user}");
    }
    let email_events = committed
        .iter()
        .filter(|e| e.meta().email.is_some())
        .count();
    let lost = committed.len() - recorded;
    eprintln!(
        "outbox faults: events committed {}, relay attempts failed {failed_attempts}, \
         published {} (each twice), audit deliveries {delivered}, recorded {recorded}, \
         duplicates dropped {duplicates}, lost {lost}; email events {email_events}, \
         email deliveries {}, emails sent {emails}",
        committed.len(),
        2 * committed.len(),
        3 * email_bodies.len(),
    );
    assert_eq!(recorded, committed.len(), "every event recorded once");
    assert_eq!(lost, 0);
    assert!(
        duplicates >= committed.len(),
        "the duplicate publish was dropped"
    );
    assert_eq!(
        email_bodies.len(),
        2 * email_events,
        "both publishes routed"
    );
    assert_eq!((emails, mailbox.count()), (email_events, email_events));
    // Registration mails each user; the second device's login alerts them.
    assert_eq!(email_events, 3 + 3);
}
