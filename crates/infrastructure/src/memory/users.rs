//! [`UserRepository`] over the [`MemoryStore`]: users and their email markers.

use async_trait::async_trait;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, User},
        ports::UserRepository,
        value_objects::Email,
    },
    platform::events::DomainEvent,
};
use uuid::Uuid;

use super::{MemoryStore, store::State};

impl State {
    pub(super) fn check_user_version(&self, user: &User) -> Result<(), StoreError> {
        match self.users.get(&user.id) {
            Some(stored) if stored.version == user.version => Ok(()),
            _ => Err(StoreError::Conflict(Conflict::StaleUser)),
        }
    }

    pub(super) fn put_user(&mut self, user: &User) {
        let mut stored = user.clone();
        stored.version += 1;
        self.users.insert(user.id, stored);
    }
}

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create(
        &self,
        user: &User,
        verification: &OneTimeToken,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if s.emails.contains_key(&user.email) {
            return Err(StoreError::AlreadyExists(Existing::Email));
        }
        if s.users.contains_key(&user.id) {
            return Err(StoreError::AlreadyExists(Existing::User));
        }
        // In the order DynamoDB checks them: marker, user, token.
        if s.one_time
            .contains_key(&(verification.kind, verification.hash.clone()))
        {
            return Err(StoreError::AlreadyExists(Existing::Token));
        }
        s.emails.insert(user.email.clone(), user.id);
        s.put_user(user);
        s.one_time.insert(
            (verification.kind, verification.hash.clone()),
            verification.clone(),
        );
        s.record(events);
        Ok(())
    }

    async fn find_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(self.state()?.users.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let s = self.state()?;
        Ok(s.emails.get(email).and_then(|id| s.users.get(id)).cloned())
    }

    async fn save(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let mut s = self.state()?;
        s.check_user_version(user)?;
        s.put_user(user);
        s.record(events);
        Ok(())
    }
}
