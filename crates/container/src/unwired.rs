use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    identity::ports::{AccessClaims, AccessTokenError, AccessTokenService},
    platform::{
        events::DomainEvent,
        ports::{
            CursorSealer, EmailError, EmailMessage, EmailSender, EventPublisher, PublishError,
            RateLimitStore,
        },
        rate_limit::{BucketKey, Decision, Limit},
    },
};
use uuid::Uuid;

/// Stands in for a port a function never uses, so its client is not built or linked
/// (an HTTP function sends no email; a consumer signs no tokens and publishes nothing).
/// Reaching it is a wiring bug, reported as an error rather than a panic.
pub struct Unwired(pub &'static str);

impl Unwired {
    fn fault(&self) -> String {
        let message = format!("{} is not wired in this function", self.0);
        tracing::error!("{message}");
        message
    }
}

#[async_trait]
impl EmailSender for Unwired {
    async fn send(&self, _: &EmailMessage) -> Result<(), EmailError> {
        Err(EmailError(self.fault()))
    }
}

#[async_trait]
impl EventPublisher for Unwired {
    async fn publish(&self, _: &[DomainEvent]) -> Result<(), PublishError> {
        Err(PublishError(self.fault()))
    }
}

#[async_trait]
impl AccessTokenService for Unwired {
    fn ttl_seconds(&self) -> i64 {
        0
    }

    async fn issue(
        &self,
        _: Uuid,
        _: &str,
        _: Vec<String>,
        _: Uuid,
    ) -> Result<String, AccessTokenError> {
        Err(AccessTokenError::KeyUnavailable(self.fault()))
    }

    async fn verify(&self, _: &str) -> Result<AccessClaims, AccessTokenError> {
        Err(AccessTokenError::KeyUnavailable(self.fault()))
    }
}

#[async_trait]
impl RateLimitStore for Unwired {
    async fn take(&self, _: &BucketKey, _: Limit, _: i64) -> Result<Decision, StoreError> {
        Err(StoreError::Unavailable(self.fault()))
    }
}

#[async_trait]
impl CursorSealer for Unwired {
    async fn seal(&self, _: &str, _: &[u8]) -> Result<String, String> {
        Err(self.fault())
    }

    async fn open(&self, _: &str, _: &str) -> Result<Option<Vec<u8>>, String> {
        Err(self.fault())
    }
}
