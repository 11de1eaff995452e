//! [`SecurityConfigRepository`] over the [`MemoryStore`], optimistically locked.

use async_trait::async_trait;
use dashtam_domain::{
    Conflict, StoreError,
    identity::{entities::SecurityConfig, ports::SecurityConfigRepository},
    platform::events::DomainEvent,
};

use super::MemoryStore;

#[async_trait]
impl SecurityConfigRepository for MemoryStore {
    async fn get(&self) -> Result<SecurityConfig, StoreError> {
        Ok(self.state()?.security.clone().unwrap_or_default())
    }

    async fn save(
        &self,
        config: &SecurityConfig,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let stored_version = s.security.as_ref().map_or(0, |c| c.version);
        if stored_version != config.version {
            return Err(StoreError::Conflict(Conflict::StaleSecurityConfig));
        }
        let mut next = config.clone();
        next.version += 1;
        s.security = Some(next);
        s.record(events);
        Ok(())
    }
}
