//! Portfolio: syncing accounts, transactions and holdings from providers, and reading
//! them back with their balances, aggregates and snapshots.

pub mod commands;
mod date_range;
mod net_worth;
mod owned;
pub mod queries;
pub mod scheduled;

pub(crate) use date_range::check_range;
pub(crate) use owned::owned_account;
pub use queries::ByCurrency;
