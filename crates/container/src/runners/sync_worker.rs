//! The sync worker: SQS batches of scheduled syncs from Lambda's event source mapping
//! (and the local stack's pollers), one connection per message.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use dashtam_application::{
    Ports,
    portfolio::scheduled::{RunScheduledSync, ScheduledSyncOutcome},
};
use dashtam_domain::portfolio::ScheduledSync;
use futures::{StreamExt, stream};
use lambda_runtime::{LambdaEvent, service_fn};

use super::BoxError;
use crate::{
    Config, init_logging,
    metrics::{self, Unit, names},
    sync_ports,
};

/// Messages of one batch synced at once (each connection's calls are sequential).
const BATCH_CONCURRENCY: usize = 4;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncMessageOutcome {
    /// Handled (synced, skipped or a duplicate): delete it.
    Done(ScheduledSyncOutcome),
    /// Put back for the provider's delay: leave it (report it failed), do not delete.
    Postponed(std::time::Duration),
}

/// Handles one message with its receipt handle. `Err` leaves it on the queue for a
/// redelivery after its visibility timeout (the DLQ after five receives). A provider's
/// 429 makes the message visible again after the provider's delay instead
/// (ChangeMessageVisibility) and is reported as not done, so it is not deleted.
pub async fn process_sync_message(
    ports: &Ports,
    body: &str,
    receipt: Option<&str>,
) -> Result<SyncMessageOutcome, String> {
    let message: ScheduledSync =
        serde_json::from_str(body).map_err(|e| format!("not a scheduled sync message: {e}"))?;
    let connection = message.connection_id;
    let outcome = RunScheduledSync { message }
        .execute(ports)
        .await
        .map_err(|e| format!("connection {connection}: {e}"))?;
    tracing::info!(%connection, ?outcome, "scheduled sync message handled");
    match outcome {
        ScheduledSyncOutcome::RetryAfter(delay) => {
            let Some(receipt) = receipt else {
                return Err(format!(
                    "connection {connection}: rate-limited, and no receipt to postpone"
                ));
            };
            ports
                .portfolio
                .sync_queue
                .postpone(receipt, delay)
                .await
                .map_err(|e| format!("connection {connection}: not postponed: {e}"))?;
            Ok(SyncMessageOutcome::Postponed(delay))
        }
        done => Ok(SyncMessageOutcome::Done(done)),
    }
}

/// An SQS batch from Lambda; what is not done is reported individually (partial batch
/// response), so one connection's failure does not resync the others.
pub async fn handle_sync_event(ports: &Ports, event: SqsEvent) -> SqsBatchResponse {
    let results: Vec<(String, Result<SyncMessageOutcome, String>)> = stream::iter(event.records)
        .map(|record| async move {
            let id = record.message_id.unwrap_or_default();
            let result = match record.body.as_deref() {
                Some(body) => {
                    process_sync_message(ports, body, record.receipt_handle.as_deref()).await
                }
                None => Err("message without a body".to_owned()),
            };
            (id, result)
        })
        .buffer_unordered(BATCH_CONCURRENCY)
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    let (mut synced, mut skipped, mut postponed) = (0u32, 0u32, 0u32);
    for (id, result) in results {
        match result {
            Ok(SyncMessageOutcome::Done(ScheduledSyncOutcome::Synced { .. })) => synced += 1,
            Ok(SyncMessageOutcome::Done(_)) => skipped += 1,
            Ok(SyncMessageOutcome::Postponed(_)) => {
                postponed += 1;
                response.batch_item_failures.push(failure(id));
            }
            Err(error) => {
                tracing::error!(message_id = %id, %error, "scheduled sync failed");
                response.batch_item_failures.push(failure(id));
            }
        }
    }
    metrics::emit(&[
        (names::SCHEDULED_SYNCS, synced.into(), Unit::Count),
        (names::SCHEDULED_SYNCS_SKIPPED, skipped.into(), Unit::Count),
        (
            names::SCHEDULED_SYNCS_POSTPONED,
            postponed.into(),
            Unit::Count,
        ),
    ]);
    response
}

fn failure(id: String) -> BatchItemFailure {
    let mut f = BatchItemFailure::default();
    f.item_identifier = id;
    f
}

/// Runs the sync worker as a Lambda function with an SQS event source mapping.
pub async fn run_sync_worker() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(sync_ports(&config).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_sync_event(&ports, event.payload).await) }
    }))
    .await
}
