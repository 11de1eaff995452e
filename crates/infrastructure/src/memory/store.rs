use std::{
    collections::{BTreeMap, HashMap},
    sync::{Mutex, MutexGuard},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    entities::{
        AuditRecord, OneTimeToken, OneTimeTokenKind, RefreshToken, SecurityConfig, Session, User,
    },
    events::DomainEvent,
    ports::{
        AuditPage, AuditPosition, AuditQuery, AuditRepository, EventFeed, EventOutbox,
        EventsForCount, FeedEntry, OneTimeTokenRepository, ProcessedEvents, RefreshRotation,
        SecurityConfigRepository, SessionRepository, UserRepository,
    },
    value_objects::{Email, TokenHash},
};
use uuid::Uuid;

#[derive(Default)]
pub(super) struct State {
    users: HashMap<Uuid, User>,
    emails: HashMap<Email, Uuid>,
    pub(super) one_time: HashMap<(OneTimeTokenKind, TokenHash), OneTimeToken>,
    pub(super) sessions: HashMap<(Uuid, Uuid), Session>,
    refresh: HashMap<TokenHash, RefreshToken>,
    security: Option<SecurityConfig>,
    audit: HashMap<Uuid, AuditRecord>,
    /// (consumer, event) → (done, lease_until)
    processed: HashMap<(String, Uuid), (bool, DateTime<Utc>)>,
    /// Unrelayed events by id (UUIDv7, so in order).
    outbox: BTreeMap<Uuid, DomainEvent>,
    feed: HashMap<Uuid, BTreeMap<Uuid, FeedEntry>>,
    /// Scheduled jobs (see `jobs.rs`).
    pub(super) jobs: super::jobs::JobState,
}

impl State {
    fn check_user_version(&self, user: &User) -> Result<(), StoreError> {
        match self.users.get(&user.id) {
            Some(stored) if stored.version == user.version => Ok(()),
            _ => Err(StoreError::Conflict("user")),
        }
    }

    /// The outbox half of every write: called once the write's checks passed.
    pub(super) fn record(&mut self, events: &[DomainEvent]) {
        for e in events {
            self.outbox.insert(e.event_id, e.clone());
            if let Some((user_id, entry)) = FeedEntry::of(e) {
                self.feed
                    .entry(user_id)
                    .or_default()
                    .insert(entry.event_id, entry);
            }
        }
    }

    fn put_user(&mut self, user: &User) {
        let mut stored = user.clone();
        stored.version += 1;
        self.users.insert(user.id, stored);
    }

    fn revoke(&mut self, user_id: Uuid, session_id: Uuid, reason: &str, at: DateTime<Utc>) -> bool {
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

/// Every repository port over one mutex: each method is one atomic step, like a
/// DynamoDB transaction.
#[derive(Default)]
pub struct MemoryStore(Mutex<State>);

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The oldest unrelayed events, for the in-process relay.
    pub fn pending_events(&self, limit: usize) -> Vec<DomainEvent> {
        self.state().outbox.values().take(limit).cloned().collect()
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied write (every method
        // checks before it mutates), so a poisoned lock is still consistent.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
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
        let mut s = self.state();
        if s.emails.contains_key(&user.email) {
            return Err(StoreError::AlreadyExists("email"));
        }
        if s.users.contains_key(&user.id) {
            return Err(StoreError::AlreadyExists("user"));
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
        Ok(self.state().users.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let s = self.state();
        Ok(s.emails.get(email).and_then(|id| s.users.get(id)).cloned())
    }

    async fn save(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        let mut s = self.state();
        s.check_user_version(user)?;
        s.put_user(user);
        s.record(events);
        Ok(())
    }
}

#[async_trait]
impl OneTimeTokenRepository for MemoryStore {
    async fn find(
        &self,
        kind: OneTimeTokenKind,
        hash: &TokenHash,
    ) -> Result<Option<OneTimeToken>, StoreError> {
        Ok(self.state().one_time.get(&(kind, hash.clone())).cloned())
    }

    async fn issue(
        &self,
        token: &OneTimeToken,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let key = (token.kind, token.hash.clone());
        if s.one_time.contains_key(&key) {
            return Err(StoreError::AlreadyExists("token"));
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
        let mut s = self.state();
        let key = (token.kind, token.hash.clone());
        match s.one_time.get(&key) {
            Some(stored) if stored.used_at.is_none() => {}
            _ => return Err(StoreError::Conflict("token")),
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
        let mut s = self.state();
        if s.sessions.contains_key(&(session.user_id, session.id))
            || s.refresh.contains_key(&token.hash)
        {
            return Err(StoreError::AlreadyExists("session"));
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
        Ok(self.state().sessions.get(&(user_id, session_id)).cloned())
    }

    async fn find_with_user(
        &self,
        user_id: Uuid,
        session_id: Uuid,
    ) -> Result<(Option<Session>, Option<User>), StoreError> {
        let s = self.state();
        Ok((
            s.sessions.get(&(user_id, session_id)).cloned(),
            s.users.get(&user_id).cloned(),
        ))
    }

    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let mut list: Vec<Session> = self
            .state()
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
        Ok(self.state().refresh.get(hash).cloned())
    }

    async fn rotate_refresh(
        &self,
        r: RefreshRotation<'_>,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let conflict = Err(StoreError::Conflict("refresh_token"));
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
        let mut s = self.state();
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
        let mut s = self.state();
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

#[async_trait]
impl SecurityConfigRepository for MemoryStore {
    async fn get(&self) -> Result<SecurityConfig, StoreError> {
        Ok(self.state().security.clone().unwrap_or_default())
    }

    async fn save(
        &self,
        config: &SecurityConfig,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state();
        let stored_version = s.security.as_ref().map_or(0, |c| c.version);
        if stored_version != config.version {
            return Err(StoreError::Conflict("security_config"));
        }
        let mut next = config.clone();
        next.version += 1;
        s.security = Some(next);
        s.record(events);
        Ok(())
    }
}

#[async_trait]
impl EventOutbox for MemoryStore {
    async fn append(&self, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.state().record(events);
        Ok(())
    }

    async fn acknowledge(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        let mut s = self.state();
        for id in event_ids {
            s.outbox.remove(id);
        }
        Ok(())
    }

    async fn oldest_pending(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().outbox.values().map(|e| e.occurred_at).min())
    }
}

#[async_trait]
impl EventFeed for MemoryStore {
    async fn read_after(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let s = self.state();
        let Some(feed) = s.feed.get(&user_id) else {
            return Ok(Vec::new());
        };
        let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        Ok(feed
            .range((from, std::ops::Bound::Unbounded))
            .take(limit as usize)
            .map(|(_, e)| e.clone())
            .collect())
    }
}

#[async_trait]
impl AuditRepository for MemoryStore {
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError> {
        let mut s = self.state();
        if s.audit.contains_key(&record.event_id) {
            return Ok(false);
        }
        s.audit.insert(record.event_id, record.clone());
        Ok(true)
    }

    async fn list_for_user(
        &self,
        user_id: Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut list: Vec<AuditRecord> = self
            .state()
            .audit
            .values()
            .filter(|r| r.user_id == Some(user_id))
            .cloned()
            .collect();
        list.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        list.truncate(limit as usize);
        Ok(list)
    }

    /// Same contract as the DynamoDB walk, exact: `next` is set only if more records match.
    async fn list(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        let mut list: Vec<AuditRecord> = self
            .state()
            .audit
            .values()
            .filter(|r| {
                q.user_id.is_none_or(|u| r.user_id == Some(u))
                    && q.action.as_deref().is_none_or(|a| r.action == a)
                    && r.created_at >= q.since
                    && match q.after {
                        Some(p) => p.is_before(r),
                        None => r.created_at <= q.until,
                    }
            })
            .cloned()
            .collect();
        list.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let limit = q.limit as usize;
        let more = list.len() > limit;
        list.truncate(limit);
        let next = if more {
            list.last().map(|r| AuditPosition {
                at: r.created_at,
                id: r.id,
            })
        } else {
            None
        };
        Ok(AuditPage {
            records: list,
            next,
        })
    }
}

#[async_trait]
impl ProcessedEvents for MemoryStore {
    async fn claim(
        &self,
        consumer: &str,
        event_id: Uuid,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut s = self.state();
        let key = (consumer.to_owned(), event_id);
        let now = Utc::now();
        match s.processed.get(&key) {
            Some((true, _)) => Ok(false),
            Some((false, lease)) if *lease > now => Ok(false),
            _ => {
                s.processed.insert(key, (false, lease_until));
                Ok(true)
            }
        }
    }

    async fn complete(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let mut s = self.state();
        if let Some(entry) = s.processed.get_mut(&(consumer.to_owned(), event_id)) {
            entry.0 = true;
        }
        Ok(())
    }

    async fn release(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let mut s = self.state();
        let key = (consumer.to_owned(), event_id);
        if matches!(s.processed.get(&key), Some((false, _))) {
            s.processed.remove(&key);
        }
        Ok(())
    }
}
