//! The outbox relay: DynamoDB Streams → EventBridge in AWS, and its local stand-ins.

use std::{sync::Arc, time::Duration};

use aws_lambda_events::event::{
    dynamodb::Event as StreamEvent,
    streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse},
};
use dashtam_application::{Ports, platform::consumers::RelayOutbox};
use dashtam_domain::platform::events::DomainEvent;
use dashtam_infrastructure::{
    dynamodb::{StreamReader, outbox_event},
    memory::MemoryStore,
};
use lambda_runtime::{LambdaEvent, service_fn};

use super::BoxError;
use crate::{
    Config, init_logging,
    metrics::{self, Unit, names},
    relay_ports,
};

/// How long the local relays wait between empty polls and after a failed publish.
const IDLE: Duration = Duration::from_millis(200);
const RETRY: Duration = Duration::from_secs(1);

/// A stream batch from Lambda. Outbox inserts are published together; if that fails, the
/// whole batch is reported failed from its first record, so Lambda retries it (the
/// event source mapping retries until the records leave the stream, 24 h). Republishing
/// events that did go out is harmless: consumers deduplicate by event id.
pub async fn handle_stream_event(ports: &Ports, event: StreamEvent) -> DynamoDbEventResponse {
    let first = event
        .records
        .first()
        .and_then(|r| r.change.sequence_number.clone());
    let mut events = Vec::new();
    for record in event.records {
        if record.event_name != "INSERT" {
            continue;
        }
        match outbox_event(record.change.new_image) {
            Some(Ok(e)) => events.push(e),
            // A corrupt item would block the shard forever if reported; it is logged.
            Some(Err(error)) => tracing::error!(%error, "unreadable outbox item skipped"),
            None => {}
        }
    }
    let mut response = DynamoDbEventResponse::default();
    if let Err(e) = (RelayOutbox { events: &events }).execute(ports).await {
        tracing::error!(error = %e, count = events.len(), "relay publish failed; batch will be retried");
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = first;
        response.batch_item_failures.push(failure);
    } else {
        log_relayed(ports, &events);
    }
    response
}

/// Runs the outbox relay as a Lambda function on the table's DynamoDB stream.
pub async fn run_relay() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(relay_ports(&config).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StreamEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_stream_event(&ports, event.payload).await) }
    }))
    .await
}

/// Publishes `events` until it succeeds: what the Lambda retry does for a failed batch.
async fn relay_until_published(ports: &Ports, events: &[DomainEvent]) {
    loop {
        match (RelayOutbox { events }).execute(ports).await {
            Ok(()) => {
                log_relayed(ports, events);
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, count = events.len(), "relay publish failed; retrying");
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Logs a published batch with the relay's lag: how long its oldest event waited
/// between its commit and its publication.
fn log_relayed(ports: &Ports, events: &[DomainEvent]) {
    let Some(oldest) = events.iter().map(|e| e.occurred_at).min() else {
        return;
    };
    let lag_ms = (ports.clock.now() - oldest).num_milliseconds().max(0);
    tracing::info!(count = events.len(), lag_ms, "events relayed");
    metrics::emit(&[
        (names::EVENTS_RELAYED, events.len() as f64, Unit::Count),
        (names::RELAY_LAG, lag_ms as f64, Unit::Milliseconds),
    ]);
}

/// The local stack's relay on the emulated AWS: reads the table's stream like Lambda's
/// event source mapping and publishes each batch until it goes out. Never gives up: a
/// failed read or publish is logged and retried.
pub async fn relay_stream(ports: Arc<Ports>, sdk: aws_config::SdkConfig, table: String) {
    let mut reader = loop {
        match StreamReader::open(&sdk, &table).await {
            Ok(reader) => break reader,
            Err(e) => {
                tracing::warn!(error = %e, "table stream not found; retrying");
                tokio::time::sleep(RETRY).await;
            }
        }
    };
    tracing::info!("outbox relay reading the table stream");
    loop {
        match reader.next_events().await {
            Ok(events) if events.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(events) => relay_until_published(&ports, &events).await,
            Err(e) => {
                tracing::warn!(error = %e, "stream read failed; retrying");
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// In-memory mode's relay: drains the store's outbox.
pub async fn relay_memory(ports: Arc<Ports>, store: Arc<MemoryStore>) {
    loop {
        let events = store.pending_events(100);
        if events.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        } else {
            relay_until_published(&ports, &events).await;
        }
    }
}
