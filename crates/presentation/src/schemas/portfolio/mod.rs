pub mod accounts;
pub(crate) mod amounts;
pub mod holdings;
pub mod snapshots;
pub mod syncs;
pub mod transactions;
