//! The import worker: S3 "object created" notifications of the uploads bucket, through
//! SQS, each running the upload's import. A failed run is reported on its own (partial
//! batch response) and redelivered; a completed import is not run twice.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use dashtam_application::{
    AppError, Ports,
    imports::{RunUpload, UploadOutcome},
};
use dashtam_domain::platform::events::EventContext;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Deserialize;

use super::BoxError;
use crate::{Config, import_ports, init_logging};

/// The part of an S3 event notification the worker reads.
#[derive(Debug, Deserialize)]
struct Notification {
    #[serde(rename = "Records", default)]
    records: Vec<NotificationRecord>,
}

#[derive(Debug, Deserialize)]
struct NotificationRecord {
    #[serde(rename = "eventName", default)]
    event_name: String,
    s3: S3Entity,
}

#[derive(Debug, Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(Debug, Deserialize)]
struct S3Object {
    key: String,
}

/// The keys of the objects a message says were created. S3's own test message (sent when
/// the notification is configured) and other events name none.
fn created_keys(body: &str) -> Result<Vec<String>, String> {
    let notification: Notification =
        serde_json::from_str(body).map_err(|e| format!("not an S3 notification: {e}"))?;
    Ok(notification
        .records
        .into_iter()
        .filter(|r| r.event_name.starts_with("ObjectCreated:"))
        // Keys arrive URL-encoded, a space as `+` (and the emulator encodes `/` too).
        .map(|r| {
            let key = r.s3.object.key.replace('+', " ");
            percent_encoding::percent_decode_str(&key)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect())
}

/// While another import of the same user runs, wait this long between tries, this many
/// times (within the worker's timeout), rather than leave the message for the queue's
/// much longer visibility timeout.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
const BUSY_TRIES: u32 = 24;

/// Runs the imports one message names. `Err` leaves it for redelivery.
pub async fn process_upload_message(ports: &Ports, body: &str) -> Result<(), String> {
    for key in created_keys(body)? {
        let mut tries = 0;
        let outcome = loop {
            let run = RunUpload {
                key: key.clone(),
                context: EventContext::default(),
            };
            match run.execute(ports).await {
                Err(AppError::Conflict(_)) if tries < BUSY_TRIES => {
                    tries += 1;
                    tokio::time::sleep(BUSY_WAIT).await;
                }
                other => break other.map_err(|e| format!("import of {key}: {e}"))?,
            }
        };
        tracing::info!(%key, ?outcome, "upload handled");
        if outcome == UploadOutcome::Unknown {
            tracing::warn!(%key, "upload notification for no pending import");
        }
    }
    Ok(())
}

pub async fn handle_upload_event(ports: &Ports, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let result = match record.body.as_deref() {
            Some(body) => process_upload_message(ports, body).await,
            None => Err("message without a body".to_owned()),
        };
        if let Err(error) = result {
            tracing::error!(message_id = %id, %error, "upload message failed");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// Runs the import worker as a Lambda function with an SQS event source mapping.
pub async fn run_import_worker() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(import_ports(&config).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_upload_event(&ports, event.payload).await) }
    }))
    .await
}

/// Runs an endpoint group of the imports (their routes reach no provider).
pub async fn run_import_http(
    group: fn() -> Vec<dashtam_presentation::Route>,
) -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = import_ports(&config).await;
    super::http::serve(group, ports, &config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_created_objects_are_imported() {
        let body = r#"{"Records":[
            {"eventName":"ObjectCreated:Put","s3":{"object":{"key":"imports%2Fa/b+c","size":3}}},
            {"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"imports/c/d"}}}]}"#;
        assert_eq!(created_keys(body).unwrap(), vec!["imports/a/b c"]);
        let test_event = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"x"}"#;
        assert!(created_keys(test_event).unwrap().is_empty());
        assert!(created_keys("not json").is_err());
    }
}
