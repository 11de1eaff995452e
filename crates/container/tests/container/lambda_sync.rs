//! The sync worker's SQS events through its handler: the sample fixture, a malformed
//! message reported alone, and a provider's 429 turned into a postponement (the message
//! made visible again after the provider's delay, and reported as not done).

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use dashtam_application::portfolio::scheduled::ScheduledSyncOutcome;
use dashtam_container::{
    InMemory, ProviderClients, SyncMessageOutcome, handle_sync_event, process_sync_message,
};
use dashtam_domain::{
    portfolio::{ScheduledSync, SyncQueue},
    providers::{
        CipherError, CredentialCipher, Credentials, DateWindow, Grant, ProviderAccount,
        ProviderClient, ProviderConnection, ProviderError, ProviderHolding, ProviderSlug,
        ProviderTransaction, SealedCredentials,
    },
};
use serde_json::json;
use uuid::Uuid;

use crate::support::fixture;

/// A provider that rate-limits every call.
struct Busy;

#[async_trait]
impl ProviderClient for Busy {
    async fn accounts(&self, _: &Credentials) -> Result<Vec<ProviderAccount>, ProviderError> {
        Err(ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(42)),
        })
    }

    async fn transactions(
        &self,
        _: &Credentials,
        _: &str,
        _: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError> {
        unreachable!("accounts come first")
    }

    async fn holdings(
        &self,
        _: &Credentials,
        _: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError> {
        unreachable!("accounts come first")
    }
}

/// Plain JSON: the handler only needs credentials it can open.
struct Json;

impl CredentialCipher for Json {
    fn seal(&self, c: &Credentials) -> Result<SealedCredentials, CipherError> {
        serde_json::to_vec(c)
            .map(SealedCredentials)
            .map_err(|_| CipherError::Unreadable("json"))
    }

    fn open(&self, s: &SealedCredentials) -> Result<Credentials, CipherError> {
        serde_json::from_slice(&s.0).map_err(|_| CipherError::Unreadable("json"))
    }
}

fn memory() -> InMemory {
    let unwired = ProviderClients::unwired();
    InMemory::builder()
        .providers(ProviderClients {
            alpaca: Arc::new(Busy),
            cipher: Arc::new(Json),
            ..unwired
        })
        .build()
}

/// An active Alpaca (API key) connection, stored.
async fn alpaca_connection(m: &InMemory) -> ProviderConnection {
    let now = Utc::now();
    let mut c = ProviderConnection::pending(
        Uuid::now_v7(),
        Uuid::now_v7(),
        ProviderSlug::Alpaca,
        None,
        now,
    );
    let credentials = Credentials::ApiKey {
        key_id: "PK1".to_owned().into(),
        secret: "s".to_owned().into(),
    };
    c.connect(
        Grant {
            sealed: Json.seal(&credentials).unwrap(),
            access_expires_at: None,
            refresh_expires_at: None,
        },
        now,
    )
    .unwrap();
    m.ports.providers.connections.create(&c, &[]).await.unwrap();
    c
}

fn sqs_event(records: &[(&str, &str, String)]) -> SqsEvent {
    let records: Vec<_> = records
        .iter()
        .map(|(id, receipt, body)| {
            json!({
                "messageId": id,
                "receiptHandle": receipt,
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:dashtam-sync-test",
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

#[tokio::test]
async fn the_sample_fixture_and_a_malformed_message_through_the_handler() {
    let m = memory();
    let sample: SqsEvent = serde_json::from_value(fixture("sqs-sync.json")).unwrap();
    // The fixture's connection does not exist here: skipped, so done (deleted).
    let response = handle_sync_event(&m.ports, sample).await;
    assert!(response.batch_item_failures.is_empty());
    let event = sqs_event(&[
        ("bad", "r-bad", "{\"run\": 1}".into()),
        (
            "good",
            "r-good",
            json!({"run_id": "2026-12-01T12Z", "user_id": Uuid::now_v7(), "connection_id": Uuid::now_v7()})
                .to_string(),
        ),
    ]);
    let response = handle_sync_event(&m.ports, event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["bad"]);
}

#[tokio::test]
async fn a_provider_429_postpones_the_message_by_the_providers_delay() {
    let m = memory();
    let c = alpaca_connection(&m).await;
    let message = ScheduledSync {
        run_id: "2026-12-01T12Z".into(),
        user_id: c.user_id,
        connection_id: c.id,
    };
    m.sync_queue
        .send(std::slice::from_ref(&message))
        .await
        .unwrap();
    let (receipt, _) = m.sync_queue.receive(1).pop().unwrap();
    let body = serde_json::to_string(&message).unwrap();
    let response = handle_sync_event(&m.ports, sqs_event(&[("m1", &receipt, body.clone())])).await;
    assert_eq!(
        response.batch_item_failures.len(),
        1,
        "not done: not deleted"
    );
    assert_eq!(
        m.sync_queue.postponed(),
        [(message.clone(), Duration::from_secs(42))]
    );
    assert_eq!(m.sync_queue.receive(1).len(), 0, "invisible for 42 s");
    // Without a receipt there is nothing to postpone: a plain failure (redelivered).
    let outcome = process_sync_message(&m.ports, &body, None).await;
    assert!(outcome.is_err(), "{outcome:?}");
    // An expired connection is skipped and done.
    let mut stored = m
        .ports
        .providers
        .connections
        .find(c.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    stored.revoke(Utc::now()).unwrap();
    m.ports
        .providers
        .connections
        .save(&stored, &[])
        .await
        .unwrap();
    assert_eq!(
        process_sync_message(&m.ports, &body, None).await,
        Ok(SyncMessageOutcome::Done(ScheduledSyncOutcome::Skipped {
            reason: "revoked"
        }))
    );
}
