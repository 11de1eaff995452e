//! The shared state of every in-memory repository: one mutex over all aggregates, so a
//! write that touches several (a user and its token, a session and its evictions, any
//! state and its events) is one atomic step, like a DynamoDB transaction. The ports are
//! implemented per aggregate in the sibling modules.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Mutex, MutexGuard},
};

use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, SecurityConfig, Session, User},
        value_objects::{Email, TokenHash},
    },
    platform::{entities::AuditRecord, events::DomainEvent, ports::FeedEntry},
};
use uuid::Uuid;

#[derive(Default)]
pub(super) struct State {
    pub(super) users: HashMap<Uuid, User>,
    pub(super) emails: HashMap<Email, Uuid>,
    pub(super) one_time: HashMap<(OneTimeTokenKind, TokenHash), OneTimeToken>,
    pub(super) sessions: HashMap<(Uuid, Uuid), Session>,
    pub(super) refresh: HashMap<TokenHash, RefreshToken>,
    pub(super) security: Option<SecurityConfig>,
    pub(super) audit: HashMap<Uuid, AuditRecord>,
    /// (consumer, event) → (done, lease_until)
    pub(super) processed: HashMap<(String, Uuid), (bool, DateTime<Utc>)>,
    /// Unrelayed events by id (UUIDv7, so in order).
    pub(super) outbox: BTreeMap<Uuid, DomainEvent>,
    pub(super) feed: HashMap<Uuid, BTreeMap<Uuid, FeedEntry>>,
    /// Scheduled jobs (see `jobs.rs`).
    pub(super) jobs: super::jobs::JobState,
    /// Connections, OAuth states and sync claims (see `providers.rs`).
    pub(super) providers: super::providers::ProviderState,
    /// Accounts, transactions, holdings and snapshots (see `portfolio.rs`).
    pub(super) portfolio: super::portfolio::PortfolioState,
    pub(super) transactions: super::transactions::TransactionState,
    /// Import records by id.
    pub(super) imports: HashMap<Uuid, dashtam_domain::imports::FileImport>,
}

/// Every repository port over one mutex: each method is one atomic step, like a
/// DynamoDB transaction.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    /// What every repository call answers instead of working (see [`MemoryStore::set_fault`]).
    #[cfg(any(test, feature = "testing"))]
    fault: Mutex<Option<StoreError>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// While set, every repository call fails with `fault` (a throttled or failing store)
    /// and changes nothing; `None` ends it. Tests only (`testing` feature).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_fault(&self, fault: Option<StoreError>) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    }

    /// The state, for one repository call.
    pub(super) fn state(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        #[cfg(any(test, feature = "testing"))]
        if let Some(fault) = self.fault.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Err(fault);
        }
        Ok(self.lock())
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied write (every method
        // checks before it mutates), so a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
