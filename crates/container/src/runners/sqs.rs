//! The queue consumers: SQS batches from Lambda's event source mapping (and the local
//! stack's pollers) through the audit and email consumers.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use dashtam_application::{
    Ports,
    platform::consumers::{RecordAudit, SendEmail},
};
use dashtam_infrastructure::messaging::parse_envelope;
use lambda_runtime::{LambdaEvent, service_fn};

use super::BoxError;
use crate::{
    Config, consumer_ports, init_logging,
    metrics::{self, Unit, names},
};

/// The queue consumers. Each reads the EventBridge envelope and runs one reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    Audit,
    Email,
    /// The import worker: the uploads bucket's notifications, not events.
    Imports,
}

impl Consumer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audit => "audit-consumer",
            Self::Email => "email-consumer",
            Self::Imports => "import-worker",
        }
    }
}

/// Handles one queue message. `Err` leaves it on the queue for redelivery (and, after the
/// queue's maxReceiveCount, the DLQ); the consumers are idempotent, so redelivery is safe.
pub async fn process_message(ports: &Ports, consumer: Consumer, body: &str) -> Result<(), String> {
    consume(ports, consumer, body).await.map(|_| ())
}

/// Like [`process_message`]; answers whether the message was a duplicate: an event this
/// consumer handles that an earlier delivery already handled.
async fn consume(ports: &Ports, consumer: Consumer, body: &str) -> Result<bool, String> {
    if consumer == Consumer::Imports {
        return super::uploads::process_upload_message(ports, body)
            .await
            .map(|()| false);
    }
    let event = parse_envelope(body)?;
    let outcome = match consumer {
        Consumer::Audit => RecordAudit { event: &event }.execute(ports).await,
        Consumer::Email => SendEmail { event: &event }.execute(ports).await,
        // Its messages are notifications, handled above.
        Consumer::Imports => return Ok(false),
    };
    match outcome {
        Ok(done) => {
            tracing::info!(?consumer, event = event.name(), event_id = %event.event_id, done, "event consumed");
            let meta = event.meta();
            let handles = match consumer {
                Consumer::Audit => meta.audit,
                Consumer::Email => meta.email.is_some(),
                Consumer::Imports => false,
            };
            Ok(handles && !done)
        }
        Err(e) => Err(format!("{} {}: {e}", event.name(), event.event_id)),
    }
}

/// An SQS batch from Lambda; failed messages are reported individually (partial batch
/// response), so one bad message does not redeliver the whole batch.
pub async fn handle_sqs_event(
    ports: &Ports,
    consumer: Consumer,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut duplicates = 0u32;
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let result = match record.body.as_deref() {
            Some(body) => consume(ports, consumer, body).await,
            None => Err("message without a body".to_owned()),
        };
        if let Ok(true) = result {
            duplicates += 1;
        }
        if let Err(error) = result {
            tracing::error!(?consumer, message_id = %id, %error, "message failed");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    if duplicates > 0 {
        metrics::emit(&[(names::DUPLICATES_DROPPED, duplicates.into(), Unit::Count)]);
    }
    response
}

/// Runs a queue consumer as a Lambda function with an SQS event source mapping.
pub async fn run_consumer(consumer: Consumer) -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(consumer_ports(&config, consumer).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_sqs_event(&ports, consumer, event.payload).await) }
    }))
    .await
}
