use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::portfolio::{Account, Currency, SnapshotSource, percent_change};

/// An account's balance at one moment. Append-only; the change against the account's
/// previous snapshot is computed when it is captured.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceSnapshot {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub balance: Decimal,
    pub available_balance: Option<Decimal>,
    pub holdings_value: Option<Decimal>,
    pub cash_value: Option<Decimal>,
    pub currency: Currency,
    pub source: SnapshotSource,
    pub captured_at: DateTime<Utc>,
    /// Against the previous snapshot; `None` for an account's first.
    pub change_amount: Option<Decimal>,
    /// `None` for the first, or when the previous balance was 0 (no finite percentage).
    pub change_percent: Option<Decimal>,
}

impl BalanceSnapshot {
    /// Captures `account` as it stands, against `previous` (its latest snapshot, if any).
    pub fn capture(
        id: Uuid,
        account: &Account,
        holdings_value: Option<Decimal>,
        source: SnapshotSource,
        previous: Option<&BalanceSnapshot>,
        now: DateTime<Utc>,
    ) -> Self {
        let cash_value = holdings_value.map(|h| account.balance - h);
        Self {
            id,
            user_id: account.user_id,
            account_id: account.id,
            balance: account.balance,
            available_balance: account.available_balance,
            holdings_value,
            cash_value,
            currency: account.currency,
            source,
            captured_at: now,
            change_amount: previous.map(|p| account.balance - p.balance),
            change_percent: previous.and_then(|p| percent_change(p.balance, account.balance)),
        }
    }
}
