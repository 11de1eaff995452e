use chrono::{NaiveDate, NaiveTime};
use dashtam_domain::portfolio::{BalanceSnapshot, Currency, SnapshotSource, percent_change};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{ByCurrency, by_currency};
use crate::{
    AppError, Ports,
    dto::Principal,
    portfolio::{check_range, owned_account},
};

/// The latest snapshot of each of the caller's accounts.
pub struct LatestSnapshots<'a> {
    pub principal: &'a Principal,
}

#[derive(Debug, Clone)]
pub struct SnapshotList {
    pub snapshots: Vec<BalanceSnapshot>,
    pub total_count: usize,
    pub total_balance_by_currency: ByCurrency,
}

impl LatestSnapshots<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<SnapshotList, AppError> {
        let accounts = ports
            .portfolio
            .accounts
            .list_for_user(self.principal.user_id)
            .await?;
        let latest = futures::future::try_join_all(
            accounts
                .iter()
                .map(|a| ports.portfolio.snapshots.latest(a.id)),
        )
        .await?;
        let snapshots: Vec<BalanceSnapshot> = latest.into_iter().flatten().collect();
        Ok(SnapshotList {
            total_count: snapshots.len(),
            total_balance_by_currency: by_currency(&snapshots, |s| Some((s.currency, s.balance))),
            snapshots,
        })
    }
}

/// An account's snapshots and how its balance moved over them.
#[derive(Debug, Clone)]
pub struct BalanceHistory {
    pub snapshots: Vec<BalanceSnapshot>,
    pub total_count: usize,
    pub start_balance: Option<Decimal>,
    pub end_balance: Option<Decimal>,
    pub total_change_amount: Option<Decimal>,
    pub total_change_percent: Option<Decimal>,
    pub currency: Currency,
}

impl BalanceHistory {
    /// `chronological` is oldest first; `snapshots` keep the order they are given in.
    fn of(snapshots: Vec<BalanceSnapshot>, currency: Currency, chronological: bool) -> Self {
        let (first, last) = if chronological {
            (snapshots.first(), snapshots.last())
        } else {
            (snapshots.last(), snapshots.first())
        };
        let start_balance = first.map(|s| s.balance);
        let end_balance = last.map(|s| s.balance);
        let change = start_balance.zip(end_balance);
        Self {
            total_count: snapshots.len(),
            start_balance,
            end_balance,
            total_change_amount: change.map(|(s, e)| e - s),
            total_change_percent: change.and_then(|(s, e)| percent_change(s, e)),
            currency,
            snapshots,
        }
    }
}

/// Snapshots of one account between two dates (inclusive), oldest first.
pub struct SnapshotHistory<'a> {
    pub principal: &'a Principal,
    pub account_id: Uuid,
    /// Both set: a range; `None`: the newest `limit`, newest first.
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub limit: u32,
    pub source: Option<SnapshotSource>,
}

impl SnapshotHistory<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<BalanceHistory, AppError> {
        check_range(self.range.map(|r| r.0), self.range.map(|r| r.1))?;
        let account = owned_account(ports, self.principal.user_id, self.account_id).await?;
        let snapshots = &ports.portfolio.snapshots;
        Ok(match self.range {
            Some((start, end)) => {
                let from = start.and_time(NaiveTime::MIN).and_utc();
                let to = end
                    .succ_opt()
                    .unwrap_or(end)
                    .and_time(NaiveTime::MIN)
                    .and_utc()
                    - chrono::Duration::nanoseconds(1);
                let list = snapshots.range(account.id, from, to, self.source).await?;
                BalanceHistory::of(list, account.currency, true)
            }
            None => {
                let list = snapshots
                    .recent(account.id, self.limit, self.source)
                    .await?;
                BalanceHistory::of(list, account.currency, false)
            }
        })
    }
}
