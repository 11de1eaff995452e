mod account;
mod holding;
mod snapshot;
mod transaction;

pub use account::{Account, Change, mask_account_number};
pub use holding::Holding;
pub use snapshot::BalanceSnapshot;
pub use transaction::Transaction;

#[cfg(test)]
mod tests;
