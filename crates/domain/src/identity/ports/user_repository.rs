use async_trait::async_trait;
use uuid::Uuid;

use crate::{
    StoreError,
    identity::{
        entities::{OneTimeToken, User},
        value_objects::Email,
    },
    platform::events::DomainEvent,
};

#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Creates the user, its email-uniqueness marker and its first verification token in
    /// one atomic write, with `events` in the outbox. `AlreadyExists(Email)` when the
    /// email is taken, whoever raced.
    async fn create(
        &self,
        user: &User,
        verification: &OneTimeToken,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    async fn find_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError>;

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// Saves `user` if the stored copy is still at `user.version`; the stored version
    /// becomes `user.version + 1`. `Conflict(StaleUser)` when someone saved in between.
    /// `events` go to the outbox in the same atomic write.
    async fn save(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError>;
}
