//! [`ConnectionRepository`], [`OAuthStateRepository`] and [`SyncClaims`] over the
//! [`MemoryStore`], with the DynamoDB adapters' conditions: create-once, versioned
//! saves, take-once states, claims that only an expired claim (or `force`) replaces.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::value_objects::TokenHash,
    platform::events::DomainEvent,
    providers::{
        ConnectionRepository, OAuthState, OAuthStateRepository, ProviderConnection, SyncClaims,
    },
};
use uuid::Uuid;

use super::{MemoryStore, store::State};

#[derive(Default)]
pub(crate) struct ProviderState {
    connections: HashMap<Uuid, ProviderConnection>,
    oauth_states: HashMap<TokenHash, OAuthState>,
    /// (user, claim key) → claimed at.
    claims: HashMap<(Uuid, String), DateTime<Utc>>,
}

impl State {
    pub(super) fn check_connection_version(
        &self,
        c: &ProviderConnection,
    ) -> Result<(), StoreError> {
        match self.providers.connections.get(&c.id) {
            Some(stored) if stored.user_id == c.user_id && stored.version == c.version => Ok(()),
            _ => Err(StoreError::Conflict(Conflict::StaleConnection)),
        }
    }

    /// Stores `c` as a write does: `version` + 1.
    pub(super) fn put_connection(&mut self, c: &ProviderConnection) {
        let mut stored = c.clone();
        stored.version += 1;
        self.providers.connections.insert(c.id, stored);
    }
}

#[async_trait]
impl ConnectionRepository for MemoryStore {
    async fn create(
        &self,
        c: &ProviderConnection,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if s.providers.connections.contains_key(&c.id) {
            return Err(StoreError::AlreadyExists(Existing::Connection));
        }
        s.put_connection(c);
        s.record(events);
        Ok(())
    }

    async fn save(&self, c: &ProviderConnection, events: &[DomainEvent]) -> Result<(), StoreError> {
        let mut s = self.state()?;
        s.check_connection_version(c)?;
        s.put_connection(c);
        s.record(events);
        Ok(())
    }

    async fn find(
        &self,
        user_id: Uuid,
        connection_id: Uuid,
    ) -> Result<Option<ProviderConnection>, StoreError> {
        Ok(self
            .state()?
            .providers
            .connections
            .get(&connection_id)
            .filter(|c| c.user_id == user_id)
            .cloned())
    }

    async fn owner_of(&self, connection_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(self
            .state()?
            .providers
            .connections
            .get(&connection_id)
            .map(|c| c.user_id))
    }

    /// Oldest first, as the UUIDv7 sort keys order them.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<ProviderConnection>, StoreError> {
        let mut list: Vec<ProviderConnection> = self
            .state()?
            .providers
            .connections
            .values()
            .filter(|c| c.user_id == user_id)
            .cloned()
            .collect();
        list.sort_by_key(|c| c.id);
        Ok(list)
    }

    /// What the DynamoDB index holds: every connection but pending and disconnected ones.
    async fn list_scheduled(&self) -> Result<Vec<ProviderConnection>, StoreError> {
        use dashtam_domain::providers::ConnectionStatus::{Disconnected, Pending};
        let mut list: Vec<ProviderConnection> = self
            .state()?
            .providers
            .connections
            .values()
            .filter(|c| !matches!(c.status, Pending | Disconnected))
            .cloned()
            .collect();
        list.sort_by_key(|c| c.id);
        Ok(list)
    }
}

#[async_trait]
impl OAuthStateRepository for MemoryStore {
    async fn put(&self, state: &OAuthState) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if s.providers.oauth_states.contains_key(&state.hash) {
            return Err(StoreError::AlreadyExists(Existing::Token));
        }
        s.providers
            .oauth_states
            .insert(state.hash.clone(), state.clone());
        Ok(())
    }

    async fn take(&self, hash: &TokenHash) -> Result<Option<OAuthState>, StoreError> {
        Ok(self.state()?.providers.oauth_states.remove(hash))
    }
}

#[async_trait]
impl SyncClaims for MemoryStore {
    async fn claim(
        &self,
        user_id: Uuid,
        key: &str,
        now: DateTime<Utc>,
        min_interval: Duration,
        force: bool,
    ) -> Result<bool, StoreError> {
        let mut s = self.state()?;
        let slot = (user_id, key.to_owned());
        let free = force
            || s.providers
                .claims
                .get(&slot)
                .is_none_or(|at| *at <= now - min_interval);
        if free {
            s.providers.claims.insert(slot, now);
        }
        Ok(free)
    }

    async fn release(
        &self,
        user_id: Uuid,
        key: &str,
        claimed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let slot = (user_id, key.to_owned());
        if s.providers.claims.get(&slot) == Some(&claimed_at) {
            s.providers.claims.remove(&slot);
        }
        Ok(())
    }
}
