use serde::Serialize;

/// One rejected field, reported in the problem's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// What a storage adapter may answer besides success.
///
/// Adapters translate their own failures (e.g. DynamoDB `ConditionalCheckFailed`,
/// `TransactionCanceled` reasons) into these, so no storage type leaks upwards.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// A uniqueness marker already exists (e.g. the email is taken).
    #[error("already exists: {0}")]
    AlreadyExists(&'static str),
    /// An optimistic-lock or state precondition failed: someone else wrote first.
    #[error("concurrent modification: {0}")]
    Conflict(&'static str),
    /// The store is unreachable or failed; never a user mistake.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}
