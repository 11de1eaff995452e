mod provider_call;
mod sync_accounts;
mod sync_holdings;
mod sync_transactions;
pub(crate) mod upsert_accounts;

pub use sync_accounts::SyncAccounts;
pub use sync_holdings::SyncHoldings;
pub use sync_transactions::SyncTransactions;

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
