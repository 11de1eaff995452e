use std::time::Duration;

/// What a provider adapter answers besides data. Adapters retry transient failures
/// themselves (bounded, honouring `Retry-After`) before returning one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The access token was refused (expired or revoked): refresh it and try once more.
    /// Schwab's 401 `Client not authorized`.
    #[error("provider refused the access token")]
    TokenExpired,
    /// The credentials are refused for good — a refresh grant the provider rejects
    /// (`invalid_grant`, Schwab's `refresh_token_authentication_error`), API keys it does
    /// not know. The user must reconnect; retrying cannot help.
    #[error("provider rejected the credentials: {0}")]
    Rejected(String),
    /// Still rate-limited after the adapter's retries; `retry_after` from the provider.
    #[error("provider rate limit")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, timeout or connection failure, after the adapter's retries.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// A response the adapter could not read (the message names the field, never values).
    #[error("unreadable provider response: {0}")]
    InvalidResponse(String),
}
