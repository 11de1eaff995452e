mod provider_call;
mod sync_accounts;
mod sync_holdings;
mod sync_transactions;
pub(crate) mod upsert_accounts;

pub use sync_accounts::SyncAccounts;
pub(crate) use sync_accounts::run as sync_accounts;
pub use sync_holdings::SyncHoldings;
pub(crate) use sync_holdings::run as sync_holdings;
pub use sync_transactions::SyncTransactions;
pub(crate) use sync_transactions::{
    DEFAULT_DAYS as DEFAULT_TRANSACTION_DAYS, run as sync_transactions,
};

/// Account and holdings syncs run at most once per this, unless forced.
pub const MIN_SYNC_INTERVAL: chrono::Duration = chrono::Duration::minutes(5);

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Records (or accounts) that could not be synced; the rest were.
    pub errors: u64,
    /// Holdings the provider no longer reports.
    pub deactivated: u64,
    pub message: String,
}

/// Who asked for a sync: the user (a request) or the schedule (the sync worker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    User,
    Schedule,
}

impl SyncTrigger {
    /// The source of a snapshot this sync captures: `manual` as given, or
    /// `scheduled_sync`.
    pub(crate) fn source(
        self,
        manual: dashtam_domain::portfolio::SnapshotSource,
    ) -> dashtam_domain::portfolio::SnapshotSource {
        match self {
            Self::User => manual,
            Self::Schedule => dashtam_domain::portfolio::SnapshotSource::ScheduledSync,
        }
    }
}
