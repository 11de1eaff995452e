use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};

/// Email-verification and password-reset tokens.
#[async_trait]
pub trait OneTimeTokenRepository: Send + Sync {
    async fn find(
        &self,
        kind: OneTimeTokenKind,
        hash: &TokenHash,
    ) -> Result<Option<OneTimeToken>, StoreError>;

    /// Stores a new token and saves `user` (optimistic lock) atomically: the user's
    /// reset-request window travels with the token it allowed.
    async fn issue(
        &self,
        token: &OneTimeToken,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    /// Marks the token used — only if it is still unused — and saves `user`, atomically.
    /// `Conflict(TokenUsed)` when it was used meanwhile, `Conflict(StaleUser)` on a stale user.
    async fn redeem(
        &self,
        token: &OneTimeToken,
        used_at: DateTime<Utc>,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;
}
