mod accounts;
mod holdings;
mod net_worth_history;
mod portfolio_summary;
mod snapshots;
mod transactions;

use std::collections::BTreeMap;

use dashtam_domain::portfolio::Currency;
use rust_decimal::Decimal;

pub use accounts::{AccountList, GetAccount, ListAccounts};
pub use holdings::{HoldingList, ListHoldings};
pub use net_worth_history::{MAX_RANGE_MONTHS, NetWorthHistory, NetWorthSeries};
pub use portfolio_summary::{CurrencySummary, PortfolioSummary, Summary, Totals};
pub use snapshots::{BalanceHistory, LatestSnapshots, SnapshotHistory, SnapshotList};
pub use transactions::{GetTransaction, ListTransactions, TransactionList};

/// Sums per currency (`{"USD": "123.45"}` on the wire).
pub type ByCurrency = BTreeMap<Currency, Decimal>;

pub(crate) fn by_currency<T>(
    items: &[T],
    value: impl Fn(&T) -> Option<(Currency, Decimal)>,
) -> ByCurrency {
    let mut totals = ByCurrency::new();
    for (currency, amount) in items.iter().filter_map(value) {
        *totals.entry(currency).or_default() += amount;
    }
    totals
}
