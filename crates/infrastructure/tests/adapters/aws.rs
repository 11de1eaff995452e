//! Secrets Manager, EventBridge, SQS and SES adapters against the emulated AWS
//! (a fresh stack from template.yaml per test, via dashtam-testkit).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use dashtam_core::ExposeSecret as _;
use dashtam_domain::platform::events::{DomainEvent, EventContext, EventPayload};
use dashtam_domain::{
    identity::ports::{AccessTokenError, AccessTokenService},
    platform::ports::{EmailMessage, EmailSender, EventPublisher},
};
use dashtam_infrastructure::email::{
    FanoutEmailSender, MailboxEmailSender, SesEmailSender, read_mailbox,
};
use dashtam_infrastructure::messaging::{
    EventBridgePublisher, SqsPublisher, envelope, parse_envelope,
};
use dashtam_infrastructure::secrets::SecretsManagerSource;
use dashtam_infrastructure::security::JwtAccessTokens;
use dashtam_testkit::provision_stack;
use uuid::Uuid;

fn context() -> EventContext {
    EventContext {
        ip_address: Some("203.0.113.7".into()),
        user_agent: Some("adapter-test".into()),
        trace_id: Some("trace-1".into()),
    }
}

fn reset_requested() -> DomainEvent {
    DomainEvent::new(
        EventPayload::PasswordResetRequestSucceeded {
            email: "a@example.com".into(),
            reset_token: "ab".repeat(32),
        },
        Some(Uuid::now_v7()),
        &context(),
        Utc::now(),
    )
}

fn login_succeeded() -> DomainEvent {
    DomainEvent::new(
        EventPayload::UserLoginSucceeded {
            email: "a@example.com".into(),
            session_id: Uuid::now_v7(),
        },
        Some(Uuid::now_v7()),
        &context(),
        Utc::now(),
    )
}

/// The parsed events of `bodies`, by id.
fn by_id(bodies: &[String]) -> BTreeMap<Uuid, DomainEvent> {
    bodies
        .iter()
        .map(|b| {
            let e = parse_envelope(b).unwrap_or_else(|err| panic!("{err}: {b}"));
            (e.event_id, e)
        })
        .collect()
}

// ---------------------------------------------------------------- Secrets Manager

#[tokio::test]
async fn secrets_manager_source_reads_the_jwt_secret_and_names_a_missing_one() {
    let stack = provision_stack().await;
    let client = aws_sdk_secretsmanager::Client::new(&stack.sdk);

    let source = SecretsManagerSource::new(client.clone(), stack.var("DASHTAM_JWT_SECRET_ID"));
    let (a, b) = tokio::join!(source.get(), source.get());
    let (a, b) = (a.expect("secret"), b.expect("secret"));
    assert_eq!(a.expose_secret(), b.expose_secret());
    assert!(a.expose_secret().len() >= 32);
    // Debug output never shows the value.
    assert!(!format!("{source:?}").contains(a.expose_secret()));

    let missing_id = format!("dashtam/{}/no-such-secret", stack.env);
    let missing = SecretsManagerSource::new(client, &missing_id);
    let err = missing.get().await.expect_err("missing secret");
    assert!(err.contains(&missing_id), "{err}");
    assert!(err.contains("not found"), "{err}");
}

#[tokio::test]
async fn jwt_access_tokens_sign_with_the_secrets_manager_key() {
    let stack = provision_stack().await;
    let client = aws_sdk_secretsmanager::Client::new(&stack.sdk);
    let source = Arc::new(SecretsManagerSource::new(
        client.clone(),
        stack.var("DASHTAM_JWT_SECRET_ID"),
    ));
    let tokens = JwtAccessTokens::new(source.clone(), 900);
    let user = Uuid::now_v7();
    let session = Uuid::now_v7();
    let token = tokens
        .issue(user, "a@example.com", vec!["user".into()], session)
        .await
        .expect("issue");
    let claims = tokens.verify(&token).await.expect("verify");
    assert_eq!((claims.sub, claims.session_id), (user, session));

    // The same key, given directly, verifies it too: the secret's bytes are the key.
    let key = source.get().await.expect("secret");
    let fixed = JwtAccessTokens::with_fixed_key(key.expose_secret(), 900);
    assert!(fixed.verify(&token).await.is_ok());

    // A missing secret is our problem, not the client's.
    let missing = JwtAccessTokens::new(
        Arc::new(SecretsManagerSource::new(
            client,
            "dashtam/none/jwt-signing-key",
        )),
        900,
    );
    let err = missing.verify(&token).await.expect_err("no key");
    assert!(
        matches!(&err, AccessTokenError::KeyUnavailable(m) if m.contains("dashtam/none/jwt-signing-key")),
        "{err:?}"
    );
}

/// Secrets Manager not answering is an upstream failure (502), not a missing key (500).
#[tokio::test]
async fn an_unreachable_secrets_manager_is_an_upstream_failure() {
    let sdk = dashtam_testkit::sdk_config("http://127.0.0.1:9").await;
    let conf = aws_sdk_secretsmanager::config::Builder::from(&sdk)
        .retry_config(aws_sdk_secretsmanager::config::retry::RetryConfig::disabled())
        .build();
    let source = SecretsManagerSource::new(
        aws_sdk_secretsmanager::Client::from_conf(conf),
        "dashtam/dead/jwt-signing-key",
    );
    let tokens = JwtAccessTokens::new(Arc::new(source), 900);
    let err = tokens.verify("a.b.c").await.expect_err("no key");
    assert!(
        matches!(&err, AccessTokenError::Upstream(m) if m.contains("dashtam/dead/jwt-signing-key")),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- EventBridge

#[tokio::test]
async fn eventbridge_routes_email_events_to_both_queues_and_others_to_audit_only() {
    let stack = provision_stack().await;
    let publisher = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&stack.sdk),
        stack.var("DASHTAM_EVENT_BUS"),
    );
    let email_event = reset_requested();
    // Eleven events: two PutEvents calls (at most ten entries each).
    let mut events = vec![email_event.clone()];
    events.extend((0..10).map(|_| login_succeeded()));
    publisher.publish(&events).await.expect("publish");

    let audit = stack
        .receive("DASHTAM_AUDIT_QUEUE_URL", 11, Duration::from_secs(10))
        .await;
    let audit = by_id(&audit);
    let want: BTreeMap<Uuid, DomainEvent> =
        events.iter().map(|e| (e.event_id, e.clone())).collect();
    assert_eq!(audit, want);

    // Everything was delivered by now; only the email event is in the email queue.
    let email = stack
        .receive("DASHTAM_EMAIL_QUEUE_URL", 2, Duration::from_secs(3))
        .await;
    assert_eq!(email.len(), 1, "{email:?}");
    let envelope: serde_json::Value = serde_json::from_str(&email[0]).expect("json");
    assert_eq!(envelope["source"], "dashtam");
    assert_eq!(envelope["detail-type"], "PasswordResetRequestSucceeded");
    assert_eq!(parse_envelope(&email[0]).expect("event"), email_event);
}

#[tokio::test]
async fn eventbridge_non_email_event_reaches_only_the_audit_queue() {
    let stack = provision_stack().await;
    let publisher = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&stack.sdk),
        stack.var("DASHTAM_EVENT_BUS"),
    );
    let event = login_succeeded();
    publisher
        .publish(std::slice::from_ref(&event))
        .await
        .expect("publish");

    let audit = stack
        .receive("DASHTAM_AUDIT_QUEUE_URL", 1, Duration::from_secs(5))
        .await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(parse_envelope(&audit[0]).expect("event"), event);
    let email = stack
        .receive("DASHTAM_EMAIL_QUEUE_URL", 1, Duration::from_secs(2))
        .await;
    assert!(email.is_empty(), "{email:?}");

    // Nothing to publish is a no-op.
    publisher.publish(&[]).await.expect("empty publish");
}

#[tokio::test]
async fn eventbridge_failure_names_the_events() {
    let stack = provision_stack().await;
    let publisher = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&stack.sdk),
        format!("no-such-bus-{}", stack.env),
    );
    let event = login_succeeded();
    let err = publisher
        .publish(std::slice::from_ref(&event))
        .await
        .expect_err("no such bus");
    assert!(err.0.contains(&event.event_id.to_string()), "{err}");
}

// ---------------------------------------------------------------- SQS

#[tokio::test]
async fn sqs_publisher_round_trip() {
    let stack = provision_stack().await;
    let publisher = SqsPublisher::new(
        aws_sdk_sqs::Client::new(&stack.sdk),
        stack.var("DASHTAM_AUDIT_QUEUE_URL"),
    );
    // 23 events: three SendMessageBatch calls.
    let mut events = vec![reset_requested()];
    events.extend((0..22).map(|_| login_succeeded()));
    publisher.publish(&events).await.expect("publish");

    let bodies = stack
        .receive("DASHTAM_AUDIT_QUEUE_URL", 23, Duration::from_secs(10))
        .await;
    let want: BTreeMap<Uuid, DomainEvent> =
        events.iter().map(|e| (e.event_id, e.clone())).collect();
    assert_eq!(by_id(&bodies), want);

    // The body is exactly `envelope(event)`: one format for consumers.
    let body: serde_json::Value = serde_json::from_str(&bodies[0]).expect("json");
    let event = parse_envelope(&bodies[0]).expect("event");
    assert_eq!(body, envelope(&event));
    assert_eq!(body["source"], "dashtam");
    assert_eq!(body["detail-type"], event.name());

    let missing = SqsPublisher::new(
        aws_sdk_sqs::Client::new(&stack.sdk),
        format!(
            "{}/123456789012/no-such-queue-{}",
            stack.endpoint, stack.env
        ),
    );
    let err = missing
        .publish(std::slice::from_ref(&events[0]))
        .await
        .expect_err("no such queue");
    assert!(err.0.contains(&events[0].event_id.to_string()), "{err}");
}

// ---------------------------------------------------------------- SES

#[tokio::test]
async fn ses_sends_and_fans_out_to_the_mailbox() {
    let stack = provision_stack().await;
    let ses = Arc::new(SesEmailSender::new(
        aws_sdk_sesv2::Client::new(&stack.sdk),
        stack.var("DASHTAM_EMAIL_FROM"),
    ));
    let message = EmailMessage {
        to: "reader@example.com".into(),
        subject: "Vérifiez — ✓".into(),
        text: "plain text, UTF-8: é ✓".into(),
        html: "<p>html, UTF-8: é ✓</p>".into(),
        sent_at: Utc::now(),
    };
    ses.send(&message).await.expect("SES send");

    let dir = std::env::temp_dir().join(format!("dashtam-fanout-{}", stack.env));
    let fanout = FanoutEmailSender::new(vec![ses, Arc::new(MailboxEmailSender::new(&dir))]);
    fanout.send(&message).await.expect("fan-out send");
    let inbox = read_mailbox(&dir, "reader@example.com")
        .await
        .expect("mailbox");
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0], message);

    // One failing sender fails the fan-out.
    let broken = FanoutEmailSender::new(vec![Arc::new(MailboxEmailSender::new(&dir))]);
    let bad = EmailMessage {
        to: "../escape@example.com".into(),
        ..message
    };
    assert!(broken.send(&bad).await.is_err());
    let _ = std::fs::remove_dir_all(&dir);

    // SES refuses a sender identity that was never verified; the error says why.
    let unverified = SesEmailSender::new(
        aws_sdk_sesv2::Client::new(&stack.sdk),
        format!("nobody-{}@unverified.example", stack.env),
    );
    let err = unverified
        .send(&plain_message())
        .await
        .expect_err("unverified sender");
    assert!(err.0.contains("MessageRejected"), "{err}");
}

fn plain_message() -> EmailMessage {
    EmailMessage {
        to: "reader@example.com".into(),
        subject: "s".into(),
        text: "t".into(),
        html: "<p>h</p>".into(),
        sent_at: Utc::now(),
    }
}

/// A message that keeps failing lands in the DLQ after the queue's maxReceiveCount (5)
/// receives; the redrive command puts it back on its queue.
#[tokio::test]
async fn a_poison_message_lands_in_the_dlq_and_is_redriven() {
    let stack = dashtam_testkit::provision_stack().await;
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let queue = stack.var("DASHTAM_AUDIT_QUEUE_URL");
    let dlq = stack.var("DASHTAM_AUDIT_DLQ_URL");
    sqs.send_message()
        .queue_url(queue)
        .message_body("not an event")
        .send()
        .await
        .unwrap();
    // A consumer that fails it every time: receive, never delete, visible again at once.
    let mut receives = 0;
    for _ in 0..10 {
        let out = sqs
            .receive_message()
            .queue_url(queue)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            receives += 1;
            sqs.change_message_visibility()
                .queue_url(queue)
                .receipt_handle(m.receipt_handle().unwrap())
                .visibility_timeout(0)
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(
        receives, 5,
        "moved to the DLQ after maxReceiveCount receives"
    );

    let moved = dashtam_infrastructure::messaging::redrive(&sqs, dlq, queue, 100)
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(
        stack
            .receive("DASHTAM_AUDIT_QUEUE_URL", 1, Duration::from_secs(5))
            .await,
        ["not an event"]
    );
    assert_eq!(
        dashtam_infrastructure::messaging::redrive(&sqs, dlq, queue, 100)
            .await
            .unwrap(),
        0
    );
}

// ---------------------------------------------------------------- the sync queue

/// Counts SQS operations (`X-Amz-Target`, e.g. `AmazonSQS.SendMessageBatch`).
#[derive(Debug, Clone, Default)]
struct SqsCalls(Arc<std::sync::Mutex<Vec<String>>>);

impl aws_sdk_sqs::config::Intercept for SqsCalls {
    fn name(&self) -> &'static str {
        "count-sqs-calls"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_sqs::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_sqs::config::RuntimeComponents,
        _: &mut aws_sdk_sqs::config::ConfigBag,
    ) -> Result<(), aws_sdk_sqs::error::BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("?");
        let op = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().unwrap().push(op);
        Ok(())
    }
}

#[tokio::test]
async fn a_round_goes_out_ten_messages_per_call_and_a_postponed_one_stays_invisible() {
    use dashtam_domain::portfolio::{ScheduledSync, SyncQueue};
    use dashtam_infrastructure::messaging::SqsSyncQueue;

    let stack = provision_stack().await;
    let url = stack.var("DASHTAM_SYNC_QUEUE_URL").to_owned();
    let calls = SqsCalls::default();
    let conf = aws_sdk_sqs::config::Builder::from(&stack.sdk)
        .interceptor(calls.clone())
        .build();
    let queue = SqsSyncQueue::new(aws_sdk_sqs::Client::from_conf(conf), &url);
    let messages: Vec<ScheduledSync> = (0..25)
        .map(|_| ScheduledSync {
            run_id: "2026-12-01T12Z".into(),
            user_id: Uuid::now_v7(),
            connection_id: Uuid::now_v7(),
        })
        .collect();
    assert_eq!(queue.send(&messages).await.unwrap(), 25);
    assert_eq!(
        calls.0.lock().unwrap().clone(),
        ["SendMessageBatch"; 3],
        "ceil(25 / 10) calls"
    );
    let bodies = stack
        .receive("DASHTAM_SYNC_QUEUE_URL", 25, Duration::from_secs(10))
        .await;
    let mut got: Vec<ScheduledSync> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    got.sort_by_key(|m| m.connection_id);
    let mut want = messages.clone();
    want.sort_by_key(|m| m.connection_id);
    assert_eq!(got, want);

    // A received message postponed by 30 s is not delivered again meanwhile.
    queue.send(&messages[..1]).await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let received = sqs
        .receive_message()
        .queue_url(&url)
        .visibility_timeout(1)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    let handle = received.messages()[0].receipt_handle().unwrap().to_owned();
    queue
        .postpone(&handle, Duration::from_secs(30))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await; // past the receive's own 1 s
    let again = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert!(again.messages().is_empty(), "still invisible");
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(
            aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        )
        .send()
        .await
        .unwrap();
    let in_flight = attributes
        .attributes()
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        })
        .cloned();
    assert_eq!(in_flight.as_deref(), Some("1"));
    // A receipt SQS does not know is an error, not a silent success.
    assert!(
        queue
            .postpone("not-a-receipt", Duration::from_secs(5))
            .await
            .is_err()
    );
}

/// The uploads bucket: a presigned PUT works with no credentials, the object is read
/// back whole (or refused by size), and its arrival is queued for the import worker.
#[tokio::test]
async fn an_upload_put_to_its_presigned_url_is_read_and_queued() {
    use dashtam_domain::imports::{Upload, UploadStore};
    use dashtam_infrastructure::uploads::S3Uploads;

    let stack = provision_stack().await;
    let s3 = aws_sdk_s3::config::Builder::from(&stack.sdk)
        .force_path_style(true)
        .build();
    let uploads = S3Uploads::new(
        aws_sdk_s3::Client::from_conf(s3),
        stack.var("DASHTAM_UPLOADS_BUCKET").to_owned(),
    );
    let key = format!("imports/{}/{}", Uuid::now_v7(), Uuid::now_v7());
    let url = uploads
        .presign_put(&key, Duration::from_secs(300))
        .await
        .unwrap();
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let file = b"OFXHEADER:100\n<OFX></OFX>\n".to_vec();
    let put = reqwest::Client::new()
        .put(&url)
        .body(file.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());

    assert_eq!(
        uploads.fetch(&key, 1 << 20).await.unwrap(),
        Upload::File(file.clone())
    );
    assert_eq!(
        uploads.fetch(&key, 4).await.unwrap(),
        Upload::TooLarge {
            size: file.len() as u64
        }
    );
    assert_eq!(
        uploads.fetch("imports/none/none", 1 << 20).await.unwrap(),
        Upload::Missing
    );

    // The bucket's notification: an ObjectCreated record naming the key, on the queue.
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let queue = stack.var("DASHTAM_IMPORT_QUEUE_URL");
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let received = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        bodies.extend(
            received
                .messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.body),
        );
        if bodies.iter().any(|b| b.contains(&key.replace('/', "%2F"))) {
            break;
        }
    }
    let notification: serde_json::Value = bodies
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .find(|v: &serde_json::Value| {
            // URL-encoded in the notification.
            let sent = v["Records"][0]["s3"]["object"]["key"]
                .as_str()
                .unwrap_or_default();
            sent.replace("%2F", "/") == key
        })
        .unwrap_or_else(|| panic!("no notification for {key} in {bodies:?}"));
    assert!(
        notification["Records"][0]["eventName"]
            .as_str()
            .unwrap()
            .starts_with("ObjectCreated:")
    );
}
