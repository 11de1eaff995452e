use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    StoreError,
    identity::{
        entities::{RefreshToken, Session, User},
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};

/// One refresh: the presented token is retired and its successor becomes the session's.
#[derive(Debug, Clone)]
pub struct RefreshRotation<'a> {
    pub old: &'a RefreshToken,
    pub new: &'a RefreshToken,
    pub at: DateTime<Utc>,
}

/// The events to record with a bulk revocation, given how many sessions it revoked.
pub type EventsForCount<'a> = &'a (dyn Fn(u32) -> Vec<DomainEvent> + Send + Sync);

/// Sessions and the refresh tokens that belong to them. Every write stores the events
/// given to it in the outbox, in the same atomic write.
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session with its first refresh token, revoking `evict` (the oldest
    /// sessions over the tier limit) in the same atomic write.
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        evict: &[Session],
        reason: &str,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    async fn find(&self, user_id: Uuid, session_id: Uuid) -> Result<Option<Session>, StoreError>;

    /// The session and its owner's profile, read together (one round trip: both live in
    /// the user's partition), so every authenticated request sees the user's *current*
    /// roles at the cost of the session check it makes anyway.
    async fn find_with_user(
        &self,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<(Option<Session>, Option<User>), StoreError>;

    /// Every session of the user, newest first.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError>;

    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshToken>, StoreError>;

    /// Atomically: the old token becomes rotated (only if it was not already), the new one
    /// is stored, and the session's current token moves from old to new (only if the
    /// session is still active and still points at old). `Conflict(RefreshRotated)` when
    /// any of that no longer holds — a concurrent refresh or a revocation won.
    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation<'_>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    /// Revokes one session (and with it its refresh tokens). Returns false if it was
    /// already revoked; revoking twice is not an error (and then `events` are not stored).
    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError>;

    /// Revokes every active session of the user except `keep`; returns how many. The
    /// events `events(count)` are stored atomically with the (last) revocations.
    async fn revoke_all(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        reason: &str,
        at: DateTime<Utc>,
        events: EventsForCount<'_>,
    ) -> Result<u32, StoreError>;
}
