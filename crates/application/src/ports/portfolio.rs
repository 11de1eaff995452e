use std::sync::Arc;

use dashtam_domain::portfolio::{
    AccountRepository, HoldingRepository, SnapshotRepository, TransactionRepository,
};

use super::Unwired;

/// Accounts, transactions, holdings and balance snapshots.
#[derive(Clone)]
pub struct PortfolioPorts {
    pub accounts: Arc<dyn AccountRepository>,
    pub transactions: Arc<dyn TransactionRepository>,
    pub holdings: Arc<dyn HoldingRepository>,
    pub snapshots: Arc<dyn SnapshotRepository>,
}

impl PortfolioPorts {
    /// Every port answers "not wired".
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("portfolio"));
        Self {
            accounts: unwired.clone(),
            transactions: unwired.clone(),
            holdings: unwired.clone(),
            snapshots: unwired,
        }
    }
}
