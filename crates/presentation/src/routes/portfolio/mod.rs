//! Portfolio: accounts, transactions, holdings and balance snapshots, and the syncs that
//! fill them from the providers.

pub mod accounts;
pub mod balances;
pub mod holdings;
pub mod syncs;
pub mod transactions;
