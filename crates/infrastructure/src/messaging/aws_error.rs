//! One-line summaries of AWS SDK errors (the SDK's Display of a service error carries the
//! whole raw response).

use std::error::Error;

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// `Code: message` for a service error; the error chain for a transport failure.
pub(crate) fn summary<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
{
    match err.code() {
        Some(code) => format!("{code}: {}", err.message().unwrap_or("")),
        None => DisplayErrorContext(err).to_string(),
    }
}
