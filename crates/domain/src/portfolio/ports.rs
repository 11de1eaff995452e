//! What the portfolio use cases reach: accounts, transactions, holdings, snapshots.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{
    StoreError,
    platform::events::DomainEvent,
    portfolio::{
        Account, BalanceSnapshot, Holding, ScheduledSync, SnapshotSource, Transaction,
        TransactionType,
    },
    providers::ProviderConnection,
};

/// One account sync's writes, committed together: the connection (its `last_sync_at`),
/// new accounts, changed accounts, one snapshot per account touched, and the events.
pub struct AccountSyncWrite<'a> {
    /// Saved with its version check (`Conflict(StaleConnection)`).
    pub connection: &'a ProviderConnection,
    /// Each guarded by a `(connection, provider_account_id)` marker:
    /// `AlreadyExists(Existing::Account)` when a concurrent sync created it first.
    pub created: &'a [Account],
    /// Each saved with its version check (`Conflict(StaleAccount)`).
    pub updated: &'a [Account],
    pub snapshots: &'a [BalanceSnapshot],
    pub events: &'a [DomainEvent],
}

/// Accounts, kept under their owner.
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Every account of the user (all connections), oldest first.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Account>, StoreError>;

    async fn find(&self, user_id: Uuid, account_id: Uuid) -> Result<Option<Account>, StoreError>;

    /// Whose account this is, whoever asks (tells 403 from 404).
    async fn owner_of(&self, account_id: Uuid) -> Result<Option<Uuid>, StoreError>;

    /// Commits an account sync atomically where it fits one transaction (100 items).
    async fn commit_sync(&self, write: AccountSyncWrite<'_>) -> Result<(), StoreError>;

    /// Saves accounts (version checks) with the events: deactivation on disconnect.
    async fn save_all(
        &self,
        accounts: &[Account],
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;
}

/// Where a page of transactions starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    /// Skip this many (newest first); costs reads proportional to the offset.
    Offset(u32),
    /// Right after this one (from a cursor): one query whatever the depth.
    After(TransactionKey),
}

/// A transaction's position in its account's newest-first order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TransactionKey {
    pub date: NaiveDate,
    pub id: Uuid,
}

impl Transaction {
    pub fn key(&self) -> TransactionKey {
        TransactionKey {
            date: self.transaction_date,
            id: self.id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionQuery {
    /// Inclusive calendar dates.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub transaction_type: Option<TransactionType>,
    pub limit: u32,
    pub start: PageStart,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransactionPage {
    /// Newest first (by date, then id).
    pub items: Vec<Transaction>,
    /// Exact: true only when another matching transaction follows the last one.
    pub has_more: bool,
}

/// Transactions, kept under their account, newest first.
#[async_trait]
pub trait TransactionRepository: Send + Sync {
    /// By id, whoever owns it (the caller checks `user_id`).
    async fn find(&self, transaction_id: Uuid) -> Result<Option<Transaction>, StoreError>;

    async fn page(
        &self,
        account_id: Uuid,
        query: &TransactionQuery,
    ) -> Result<TransactionPage, StoreError>;

    /// The provider ids the account already holds, each with its row's
    /// [`fingerprint`](Transaction::fingerprint) (a read of the markers only).
    async fn known_ids(
        &self,
        account_id: Uuid,
    ) -> Result<std::collections::HashMap<String, String>, StoreError>;

    /// Inserts those of `transactions` (all of `account`) whose provider id the account
    /// does not hold yet — each guarded by a marker, so concurrent syncs insert each once —
    /// in batched writes, never one call per item; the account's count moves with them.
    /// Returns how many were inserted. `events` go with the last write.
    async fn insert_new(
        &self,
        account: &Account,
        transactions: &[Transaction],
        events: &[DomainEvent],
    ) -> Result<u64, StoreError>;
}

/// One holdings sync's writes, committed together.
pub struct HoldingsSyncWrite<'a> {
    /// Saved with its version check (its `holdings_synced_at`).
    pub account: &'a Account,
    /// Each guarded by `(account, provider_holding_id)`: `AlreadyExists(Existing::Holding)`.
    pub created: &'a [Holding],
    /// Changed or deactivated, each with its version check (`Conflict(StaleHolding)`).
    pub updated: &'a [Holding],
    pub snapshot: &'a BalanceSnapshot,
    pub events: &'a [DomainEvent],
}

/// Holdings, kept under their owner.
#[async_trait]
pub trait HoldingRepository: Send + Sync {
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Holding>, StoreError>;

    async fn list_for_account(
        &self,
        user_id: Uuid,
        account_id: Uuid,
    ) -> Result<Vec<Holding>, StoreError>;

    async fn commit_sync(&self, write: HoldingsSyncWrite<'_>) -> Result<(), StoreError>;
}

/// Balance snapshots, append-only, kept under their account in time order.
#[async_trait]
pub trait SnapshotRepository: Send + Sync {
    async fn latest(&self, account_id: Uuid) -> Result<Option<BalanceSnapshot>, StoreError>;

    /// The last one captured at or before `at` (net worth on a past day).
    async fn latest_at(
        &self,
        account_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<BalanceSnapshot>, StoreError>;

    /// Captured within `[from, to]`, oldest first.
    async fn range(
        &self,
        account_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError>;

    /// The newest `limit`, newest first.
    async fn recent(
        &self,
        account_id: Uuid,
        limit: u32,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError>;

    /// Appends snapshots with no other write (imports, scheduled captures).
    async fn append(
        &self,
        snapshots: &[BalanceSnapshot],
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;
}

/// The queue that fans a scheduled sync round out to the sync workers.
#[async_trait]
pub trait SyncQueue: Send + Sync {
    /// Enqueues one message per entry, ten per call (SendMessageBatch); entries the queue
    /// refuses are retried once. Answers how many were accepted; `Unavailable` (naming
    /// how many were not) when some never were — the caller's retry may duplicate the
    /// others, which the workers tolerate.
    async fn send(&self, messages: &[ScheduledSync]) -> Result<u64, StoreError>;

    /// Makes a received message (its receipt handle) visible again only after `delay`:
    /// a provider asked us to wait (ChangeMessageVisibility).
    async fn postpone(&self, receipt: &str, delay: std::time::Duration) -> Result<(), StoreError>;
}
