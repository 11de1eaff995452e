use dashtam_domain::{FieldError, StoreError, ports::AccessTokenError};

/// How a use case fails. The presentation layer maps each variant to one status code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A domain rule rejected the input (400 `command_validation_failed`).
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A fault on our side; the message is for logs, never for clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn validation(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        Self::Validation {
            detail: detail.into(),
            errors,
        }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::Unauthorized(detail.to_owned())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // Expected conflicts are handled where they happen; one that gets here is a fault.
        Self::Internal(e.to_string())
    }
}

impl From<AccessTokenError> for AppError {
    fn from(e: AccessTokenError) -> Self {
        match e {
            AccessTokenError::Invalid => Self::unauthorized("Invalid or expired token"),
            AccessTokenError::KeyUnavailable(m) => Self::Internal(m),
        }
    }
}
