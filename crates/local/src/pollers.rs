use std::{future::Future, sync::Arc, time::Duration};

use dashtam_application::Ports;
use dashtam_container::{Consumer, SyncMessageOutcome, process_message, process_sync_message};
use dashtam_domain::platform::events::DomainEvent;
use dashtam_infrastructure::{
    memory::{InProcessQueue, MemorySyncQueue},
    messaging::envelope,
};
use tokio::sync::mpsc::UnboundedReceiver;

/// Runs a poller for the life of the process: if it ever ends or panics, that is logged
/// and a new one is started a second later (a panic would otherwise end its task
/// silently, and with it the events or emails it carries).
pub fn supervise<F, Fut>(name: &'static str, mut start: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(start()).await {
                Ok(()) => tracing::error!(poller = name, "poller stopped; restarting"),
                Err(e) if e.is_panic() => {
                    tracing::error!(poller = name, error = %e, "poller panicked; restarting")
                }
                // Cancelled: the runtime is shutting down.
                Err(_) => return,
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// Emulates an SQS event source mapping: long-poll, process, delete what succeeded.
/// A failed message stays and comes back after its visibility timeout; after the
/// queue's maxReceiveCount SQS moves it to the DLQ.
pub async fn poll_queue(
    ports: Arc<Ports>,
    consumer: Consumer,
    sqs: aws_sdk_sqs::Client,
    url: String,
) {
    tracing::info!(?consumer, queue = %url, "consumer polling");
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(2)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(?consumer, error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "receive failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        for m in messages {
            let body = m.body.unwrap_or_default();
            match process_message(&ports, consumer, &body).await {
                Ok(()) => {
                    let Some(handle) = m.receipt_handle else {
                        continue;
                    };
                    let deleted = sqs
                        .delete_message()
                        .queue_url(&url)
                        .receipt_handle(handle)
                        .send()
                        .await;
                    if let Err(e) = deleted {
                        tracing::warn!(?consumer, error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "delete failed; message will be redelivered");
                    }
                }
                Err(error) => {
                    tracing::error!(?consumer, %error, "message failed; left for redelivery")
                }
            }
        }
    }
}

/// In-memory mode: every published event goes to both consumers, through the same
/// envelope and the same code path as on AWS.
pub async fn drain_channel(
    ports: Arc<Ports>,
    mut events: UnboundedReceiver<DomainEvent>,
    queue: Arc<InProcessQueue>,
) {
    while let Some(event) = events.recv().await {
        queue.taken();
        let body = envelope(&event).to_string();
        let mut ok = true;
        for consumer in [Consumer::Audit, Consumer::Email] {
            // Only events routed to the email queue reach the email consumer on AWS; the
            // consumers skip the rest themselves, so delivering all is equivalent.
            if let Err(error) = process_message(&ports, consumer, &body).await {
                tracing::error!(?consumer, %error, "in-process consumer failed");
                ok = false;
            }
        }
        queue.finished(ok);
    }
}

/// The sync worker's event source mapping, locally: long-poll the sync queue, run each
/// message, delete what is done. A postponed message (a provider's 429) has had its
/// visibility changed and is left; a failed one comes back after its visibility timeout.
pub async fn poll_sync_queue(ports: Arc<Ports>, sqs: aws_sdk_sqs::Client, url: String) {
    tracing::info!(queue = %url, "sync worker polling");
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(2)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "sync receive failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        for m in messages {
            let body = m.body.unwrap_or_default();
            let receipt = m.receipt_handle;
            match process_sync_message(&ports, &body, receipt.as_deref()).await {
                Ok(SyncMessageOutcome::Done(_)) => {
                    let Some(handle) = receipt else { continue };
                    let deleted = sqs
                        .delete_message()
                        .queue_url(&url)
                        .receipt_handle(handle)
                        .send()
                        .await;
                    if let Err(e) = deleted {
                        tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "sync delete failed; message will be redelivered");
                    }
                }
                Ok(SyncMessageOutcome::Postponed(delay)) => {
                    tracing::info!(?delay, "scheduled sync postponed (provider rate limit)");
                }
                Err(error) => tracing::error!(%error, "scheduled sync failed; left for redelivery"),
            }
        }
    }
}

/// In-memory mode: the same worker over the in-process sync queue.
pub async fn drain_sync_queue(ports: Arc<Ports>, queue: Arc<MemorySyncQueue>) {
    loop {
        let batch = queue.receive(10);
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        for (receipt, message) in batch {
            let body = serde_json::to_string(&message).unwrap_or_default();
            match process_sync_message(&ports, &body, Some(&receipt)).await {
                Ok(SyncMessageOutcome::Done(_)) => queue.delete(&receipt),
                Ok(SyncMessageOutcome::Postponed(_)) => {}
                Err(error) => {
                    tracing::error!(%error, "scheduled sync failed; released for a retry");
                    queue.release(&receipt);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}
