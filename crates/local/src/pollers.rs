use std::{future::Future, sync::Arc, time::Duration};

use dashtam_application::Ports;
use dashtam_container::{Consumer, process_message};
use dashtam_domain::platform::events::DomainEvent;
use dashtam_infrastructure::{memory::InProcessQueue, messaging::envelope};
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
