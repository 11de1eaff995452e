use dashtam_domain::{
    FieldError, StoreError, identity::ports::AccessTokenError, providers::ProviderError,
};

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
    /// A file of a kind we do not read (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Asked again too soon (429 with `Retry-After`): a sync within its minimum interval.
    #[error("{detail}")]
    TooSoon { detail: String, retry_after: u64 },
    /// A provider is rate-limiting us even after our retries (503 with the provider's
    /// `Retry-After`). The message is for logs.
    #[error("provider busy: {cause}")]
    ProviderBusy { cause: String, retry_after: u64 },
    /// The store refused for now (throttled, or no answer in time): the same request may
    /// succeed shortly (503 with `Retry-After`). The message is for logs.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    /// A service we depend on failed (502). The message is for logs.
    #[error("upstream failed: {0}")]
    Upstream(String),
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
        match e {
            StoreError::Throttled(cause) => Self::Unavailable(cause),
            // Expected conflicts are handled where they happen; one that gets here is a fault.
            e => Self::Internal(e.to_string()),
        }
    }
}

impl From<AccessTokenError> for AppError {
    fn from(e: AccessTokenError) -> Self {
        match e {
            AccessTokenError::Invalid => Self::unauthorized("Invalid or expired token"),
            AccessTokenError::KeyUnavailable(m) => Self::Internal(m),
            AccessTokenError::Upstream(m) => Self::Upstream(m),
        }
    }
}

/// Seconds to wait when a provider says "later" without saying how long.
const PROVIDER_RETRY_AFTER_SECS: u64 = 30;

/// A provider failure that reached the user: 503 when it is rate-limiting us, else 502.
/// (`TokenExpired` and `Rejected` are handled where they happen; getting here they are
/// upstream failures too.)
impl From<ProviderError> for AppError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::RateLimited { retry_after } => Self::ProviderBusy {
                cause: e.to_string(),
                retry_after: retry_after
                    .map(|d| d.as_secs().max(1))
                    .unwrap_or(PROVIDER_RETRY_AFTER_SECS),
            },
            e => Self::Upstream(e.to_string()),
        }
    }
}
