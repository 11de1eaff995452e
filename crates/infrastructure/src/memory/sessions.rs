//! [`SessionRepository`] over the [`MemoryStore`]: sessions and refresh tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{RefreshToken, Session, User},
        ports::{EventsForCount, RefreshRotation, SessionRepository},
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};
use uuid::Uuid;

use super::{MemoryStore, store::State};

impl State {
    pub(super) fn revoke(
        &mut self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
    ) -> bool {
        match self.sessions.get_mut(&(user_id, session_id)) {
            Some(s) if s.revoked_at.is_none() => {
                s.revoked_at = Some(at);
                s.revoked_reason = Some(reason.to_owned());
                true
            }
            _ => false,
        }
    }
}

#[async_trait]
impl SessionRepository for MemoryStore {
    async fn create(
        &self,
        session: &Session,
        token: &RefreshToken,
        evict: &[Session],
        reason: &str,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if s.sessions.contains_key(&(session.user_id, session.id)) {
            return Err(StoreError::AlreadyExists(Existing::Session));
        }
        if s.refresh.contains_key(&token.hash) {
            return Err(StoreError::AlreadyExists(Existing::RefreshToken));
        }
        for old in evict {
            // Already revoked meanwhile is fine: the slot is free either way.
            s.revoke(old.user_id, old.id, reason, session.created_at);
        }
        s.sessions
            .insert((session.user_id, session.id), session.clone());
        s.refresh.insert(token.hash.clone(), token.clone());
        s.record(events);
        Ok(())
    }

    async fn find(&self, user_id: Uuid, session_id: Uuid) -> Result<Option<Session>, StoreError> {
        Ok(self.state()?.sessions.get(&(user_id, session_id)).cloned())
    }

    async fn find_with_user(
        &self,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<(Option<Session>, Option<User>), StoreError> {
        let s = self.state()?;
        Ok((
            s.sessions.get(&(user_id, session_id)).cloned(),
            s.users.get(&user_id).cloned(),
        ))
    }

    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let mut list: Vec<Session> = self
            .state()?
            .sessions
            .values()
            .filter(|s| s.user_id == user_id)
            .cloned()
            .collect();
        list.sort_by_key(|s| std::cmp::Reverse(s.id));
        Ok(list)
    }

    async fn find_refresh_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshToken>, StoreError> {
        Ok(self.state()?.refresh.get(hash).cloned())
    }

    async fn rotate_refresh(
        &self,
        r: RefreshRotation<'_>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let conflict = Err(StoreError::Conflict(Conflict::RefreshRotated));
        match s.refresh.get(&r.old.hash) {
            Some(t) if t.rotated_at.is_none() => {}
            _ => return conflict,
        }
        if s.refresh.contains_key(&r.new.hash) {
            return conflict;
        }
        match s.sessions.get(&(r.old.user_id, r.old.session_id)) {
            Some(sess) if sess.is_active(r.at) && sess.current_refresh_hash == r.old.hash => {}
            _ => return conflict,
        }
        if let Some(t) = s.refresh.get_mut(&r.old.hash) {
            t.rotated_at = Some(r.at);
        }
        s.refresh.insert(r.new.hash.clone(), r.new.clone());
        if let Some(sess) = s.sessions.get_mut(&(r.old.user_id, r.old.session_id)) {
            sess.current_refresh_hash = r.new.hash.clone();
            sess.last_activity_at = r.at;
        }
        s.record(events);
        Ok(())
    }

    async fn revoke(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        reason: &str,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        let mut s = self.state()?;
        let revoked = s.revoke(user_id, session_id, reason, at);
        if revoked {
            s.record(events);
        }
        Ok(revoked)
    }

    async fn revoke_all(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        reason: &str,
        at: DateTime<Utc>,
        events: EventsForCount<'_>,
    ) -> Result<u32, StoreError> {
        let mut s = self.state()?;
        let targets: Vec<Uuid> = s
            .sessions
            .values()
            .filter(|x| x.user_id == user_id && Some(x.id) != keep && x.is_active(at))
            .map(|x| x.id)
            .collect();
        let mut count = 0;
        for id in targets {
            if s.revoke(user_id, id, reason, at) {
                count += 1;
            }
        }
        s.record(&events(count));
        Ok(count)
    }
}
