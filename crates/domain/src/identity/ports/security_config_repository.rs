use async_trait::async_trait;

use crate::{StoreError, identity::entities::SecurityConfig, platform::events::DomainEvent};

#[async_trait]
pub trait SecurityConfigRepository: Send + Sync {
    /// The stored config, or the default (version 0) if none was ever stored.
    async fn get(&self) -> Result<SecurityConfig, StoreError>;

    /// Saves if the stored copy is still at `config.version`. `Conflict(StaleSecurityConfig)`.
    /// `events` go to the outbox in the same atomic write.
    async fn save(&self, config: &SecurityConfig, events: &[DomainEvent])
    -> Result<(), StoreError>;
}
