//! Portfolio: accounts, transactions, holdings and balance snapshots, in money that never
//! touches `f64`.

mod entities;
mod kinds;
mod money;
mod net_worth;
mod ports;
mod scheduled_sync;

pub use entities::{Account, BalanceSnapshot, Change, Holding, Transaction, mask_account_number};
pub use kinds::{
    AccountType, AssetType, SnapshotSource, TransactionStatus, TransactionSubtype, TransactionType,
};
pub use money::{Currency, CurrencyMismatch, MONEY_DP, Money, QUANTITY_DP, fixed, percent_change};
pub use net_worth::{AccountHistory, NetWorthPoint, contribution, daily_net_worth};
pub use ports::{
    AccountRepository, AccountSyncWrite, HoldingRepository, HoldingsSyncWrite, PageStart,
    SnapshotRepository, SyncQueue, TransactionKey, TransactionPage, TransactionQuery,
    TransactionRepository,
};
pub use scheduled_sync::ScheduledSync;
