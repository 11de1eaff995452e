//! [`OneTimeTokenRepository`] over the [`MemoryStore`]: verification and reset tokens,
//! issued and redeemed atomically with the user they change.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        ports::OneTimeTokenRepository,
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};

use super::MemoryStore;

#[async_trait]
impl OneTimeTokenRepository for MemoryStore {
    async fn find(
        &self,
        kind: OneTimeTokenKind,
        hash: &TokenHash,
    ) -> Result<Option<OneTimeToken>, StoreError> {
        Ok(self.state()?.one_time.get(&(kind, hash.clone())).cloned())
    }

    async fn issue(
        &self,
        token: &OneTimeToken,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let key = (token.kind, token.hash.clone());
        if s.one_time.contains_key(&key) {
            return Err(StoreError::AlreadyExists(Existing::Token));
        }
        s.check_user_version(user)?;
        s.put_user(user);
        s.one_time.insert(key, token.clone());
        s.record(events);
        Ok(())
    }

    async fn redeem(
        &self,
        token: &OneTimeToken,
        used_at: DateTime<Utc>,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let key = (token.kind, token.hash.clone());
        match s.one_time.get(&key) {
            Some(stored) if stored.used_at.is_none() => {}
            _ => return Err(StoreError::Conflict(Conflict::TokenUsed)),
        }
        s.check_user_version(user)?;
        s.put_user(user);
        if let Some(stored) = s.one_time.get_mut(&key) {
            stored.used_at = Some(used_at);
        }
        s.record(events);
        Ok(())
    }
}
