pub mod accounts;
pub(crate) mod amounts;
pub mod holdings;
pub mod overview;
pub mod snapshots;
pub mod syncs;
pub mod transactions;
