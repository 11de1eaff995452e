//! SDK failures as [`StoreError`]s: a failed condition is an answer, throttling and
//! transport trouble are [`StoreError::Throttled`] (worth a retry later), anything else
//! [`StoreError::Unavailable`]. Messages carry the operation and AWS's error code and
//! message, never item contents.

use aws_sdk_dynamodb::{
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::transact_write_items::TransactWriteItemsError,
};
use dashtam_domain::StoreError;

/// Error codes of a request DynamoDB refused for load, not for its content.
const THROTTLING_CODES: [&str; 4] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "Throttling",
];

/// Cancellation reasons of a transaction that DynamoDB refused for load.
const THROTTLING_REASONS: [&str; 3] = [
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
];

fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ConditionalCheckFailedException"))
}

/// A single conditional write's answer: written, or its condition failed.
pub(crate) fn written<T, E, R>(
    res: Result<T, SdkError<E, R>>,
    op: &'static str,
    what: &'static str,
) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match res {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failure(&e) => Ok(false),
        Err(e) => Err(sdk_error(op, what, &e)),
    }
}

/// Any other SDK failure. Carries the operation and AWS's error code and message (never
/// request contents); for transport failures the error chain.
pub(crate) fn sdk_error<E, R>(
    op: &'static str,
    what: &'static str,
    err: &SdkError<E, R>,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) => {
            let code = e.code().unwrap_or("unknown");
            let message = format!(
                "dynamodb {op} ({what}): {code}: {}",
                e.message().unwrap_or("")
            );
            if THROTTLING_CODES.contains(&code) {
                StoreError::Throttled(message)
            } else {
                StoreError::Unavailable(message)
            }
        }
        None => {
            let message = format!("dynamodb {op} ({what}): {}", DisplayErrorContext(err));
            match err {
                // Never reached DynamoDB, or no answer in time: nothing was decided there.
                SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                    StoreError::Throttled(message)
                }
                _ => StoreError::Unavailable(message),
            }
        }
    }
}

/// Reads a failed TransactWriteItems of `items` actions: `Some(flags)` when conditions
/// failed (`true` at index i when item i's did), `None` when only `TransactionConflict`
/// (another transaction in flight; nothing written, worth retrying). Any other
/// cancellation reason and any other error is an `Err`.
pub(crate) fn condition_failures<R: std::fmt::Debug>(
    what: &'static str,
    items: usize,
    err: &SdkError<TransactWriteItemsError, R>,
) -> Result<Option<Vec<bool>>, StoreError> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
        err.as_service_error()
    else {
        return Err(sdk_error("TransactWriteItems", what, err));
    };
    let mut codes: Vec<String> = cancel
        .cancellation_reasons()
        .iter()
        .map(|r| r.code().unwrap_or("None").to_owned())
        .collect();
    if codes.is_empty() {
        codes = reasons_from_message(cancel.message().unwrap_or(""));
    }
    if codes.len() != items {
        return Err(StoreError::Unavailable(format!(
            "dynamodb TransactWriteItems ({what}): cancelled with {} reasons for {items} items",
            codes.len(),
        )));
    }
    let unexpected = |c: &&String| {
        !matches!(
            c.as_str(),
            "None" | "ConditionalCheckFailed" | "TransactionConflict"
        )
    };
    if let Some(other) = codes.iter().find(unexpected) {
        return Err(cancelled(what, other));
    }
    let failed: Vec<bool> = codes
        .iter()
        .map(|c| c == "ConditionalCheckFailed")
        .collect();
    Ok(failed.contains(&true).then_some(failed))
}

/// A transaction cancelled for a reason other than a failed condition or a conflict.
fn cancelled(what: &'static str, reason: &str) -> StoreError {
    let message = format!("dynamodb TransactWriteItems ({what}): cancelled: {reason}");
    if THROTTLING_REASONS.contains(&reason) {
        StoreError::Throttled(message)
    } else {
        StoreError::Unavailable(message)
    }
}

/// Some emulators put the cancellation reasons only into the message:
/// "... specific reasons [ConditionalCheckFailed, None]".
fn reasons_from_message(message: &str) -> Vec<String> {
    let Some(open) = message.rfind('[') else {
        return Vec::new();
    };
    let Some(close) = message[open..].find(']') else {
        return Vec::new();
    };
    message[open + 1..open + close]
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::{
        error::ErrorMetadata, operation::get_item::GetItemError,
        types::error::ProvisionedThroughputExceededException,
    };

    use super::*;

    #[test]
    fn reasons_are_parsed_from_the_message() {
        assert_eq!(
            reasons_from_message(
                "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]"
            ),
            ["ConditionalCheckFailed", "None"]
        );
        assert!(reasons_from_message("no brackets").is_empty());
    }

    fn throughput_exceeded() -> SdkError<GetItemError, ()> {
        let code = "ProvisionedThroughputExceededException";
        let meta = ErrorMetadata::builder()
            .code(code)
            .message("slow down")
            .build();
        SdkError::service_error(
            GetItemError::ProvisionedThroughputExceededException(
                ProvisionedThroughputExceededException::builder()
                    .message("slow down")
                    .meta(meta)
                    .build(),
            ),
            (),
        )
    }

    #[test]
    fn throttling_and_timeouts_are_throttled() {
        assert!(matches!(
            sdk_error("GetItem", "user", &throughput_exceeded()),
            StoreError::Throttled(m) if m.contains("ProvisionedThroughputExceededException")
        ));
        let timeout = SdkError::<GetItemError, ()>::timeout_error("took too long");
        assert!(matches!(
            sdk_error("GetItem", "user", &timeout),
            StoreError::Throttled(_)
        ));
        let other = SdkError::service_error(GetItemError::unhandled("boom"), ());
        assert!(matches!(
            sdk_error("GetItem", "user", &other),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn throttled_cancellations_are_throttled() {
        assert!(matches!(
            cancelled("x", "ThrottlingError"),
            StoreError::Throttled(_)
        ));
        assert!(matches!(
            cancelled("x", "ValidationError"),
            StoreError::Unavailable(_)
        ));
    }
}
