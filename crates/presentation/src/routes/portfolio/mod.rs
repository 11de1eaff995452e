//! Portfolio: accounts, transactions, holdings and balance snapshots, net worth over time
//! and the summary, and the syncs that fill them from the providers.

pub mod accounts;
pub mod balances;
pub mod holdings;
pub mod overview;
pub mod syncs;
pub mod transactions;
