use std::sync::Arc;

use dashtam_domain::portfolio::{
    AccountRepository, HoldingRepository, SnapshotRepository, SyncQueue, TransactionRepository,
};

use super::Unwired;

/// Accounts, transactions, holdings and balance snapshots, and the queue of scheduled
/// syncs.
#[derive(Clone)]
pub struct PortfolioPorts {
    pub accounts: Arc<dyn AccountRepository>,
    pub transactions: Arc<dyn TransactionRepository>,
    pub holdings: Arc<dyn HoldingRepository>,
    pub snapshots: Arc<dyn SnapshotRepository>,
    /// Where the dispatcher sends one message per connection (and where the worker
    /// postpones a message a provider asked us to wait with).
    pub sync_queue: Arc<dyn SyncQueue>,
}

impl PortfolioPorts {
    /// Every port answers "not wired".
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("portfolio"));
        Self {
            accounts: unwired.clone(),
            transactions: unwired.clone(),
            holdings: unwired.clone(),
            snapshots: unwired.clone(),
            sync_queue: unwired,
        }
    }
}
