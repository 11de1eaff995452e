//! The runners: the same ports behind Lambda's HTTP, SQS, DynamoDB stream and schedule
//! invocations, and the local stack's stand-ins for the event sources.

mod http;
mod schedule;
mod sqs;
mod stream;
mod sync_worker;
mod uploads;

pub use http::{
    business_metric, client_ip_layer, run_http, run_http_streaming, run_portfolio_http,
    run_provider_http,
};
pub use schedule::{handle_scheduled_event, job_from_event, run_provider_jobs, run_scheduler};
pub use sqs::{Consumer, handle_sqs_event, process_message, run_consumer};
pub use stream::{handle_stream_event, relay_memory, relay_stream, run_relay};
pub use sync_worker::{
    SyncMessageOutcome, handle_sync_event, process_sync_message, run_sync_worker,
};
pub use uploads::{
    handle_upload_event, process_upload_message, run_import_http, run_import_worker,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
