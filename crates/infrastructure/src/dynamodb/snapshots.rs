//! Balance snapshots: `ACCOUNT#<aid>` / `SNAP#<captured_at>#<sid>` (fixed-width
//! timestamps, so sort-key order is time order). Append-only.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    platform::events::DomainEvent,
    portfolio::{BalanceSnapshot, Currency, SnapshotRepository, SnapshotSource},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    chunks::{Group, commit_chunked},
    expr::{Expr, QuerySpec},
    keys::{SNAP_SK_PREFIX, account_pk, snapshot_sk, snapshot_sk_at},
    paging::collect,
    table::{Table, from_item, to_item},
    ts,
};

const SOURCE_FILTER: &str = "#src = :src";

#[derive(Debug, Clone)]
pub struct DynamoSnapshotRepository {
    table: Table,
}

impl DynamoSnapshotRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }

    /// Snapshots of the account between the sort keys `lo` and `hi` (inclusive), up to
    /// `want` of them after the `source` filter, in the given direction.
    async fn read(
        &self,
        account_id: Uuid,
        (lo, hi): (String, String),
        forward: bool,
        want: usize,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError> {
        let mut expr = Expr::new()
            .s(":pk", account_pk(account_id))
            .s(":lo", lo)
            .s(":hi", hi);
        if let Some(s) = source {
            expr = expr.name("#src", "source").s(":src", s.as_str());
        }
        let q = QuerySpec {
            index: None,
            key_condition: "PK = :pk AND SK BETWEEN :lo AND :hi",
            expr,
            forward,
            limit: None,
        };
        let filter = source.map(|_| SOURCE_FILTER);
        collect(&self.table, "snapshot", &q, filter, want, None)
            .await?
            .into_iter()
            .map(|item| {
                from_item::<SnapshotItem>("snapshot", item).map(SnapshotItem::into_snapshot)
            })
            .collect()
    }
}

/// Every snapshot of an account: `SNAP#` up to `SNAP#~` (above any timestamp).
fn all() -> (String, String) {
    (SNAP_SK_PREFIX.to_owned(), format!("{SNAP_SK_PREFIX}~"))
}

/// The Put of a new snapshot (unconditional: ids are fresh UUIDv7s).
pub(crate) fn snapshot_put(table: &Table, s: &BalanceSnapshot) -> Result<Put, StoreError> {
    table.put(
        to_item("snapshot", &SnapshotItem::new(s))?,
        None,
        Expr::new(),
    )
}

#[async_trait]
impl SnapshotRepository for DynamoSnapshotRepository {
    async fn latest(&self, account_id: Uuid) -> Result<Option<BalanceSnapshot>, StoreError> {
        Ok(self
            .read(account_id, all(), false, 1, None)
            .await?
            .into_iter()
            .next())
    }

    /// One Query: descending from `SNAP#<at>~`, `Limit 1`.
    async fn latest_at(
        &self,
        account_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<BalanceSnapshot>, StoreError> {
        let bounds = (
            SNAP_SK_PREFIX.to_owned(),
            format!("{}~", snapshot_sk_at(at)),
        );
        Ok(self
            .read(account_id, bounds, false, 1, None)
            .await?
            .into_iter()
            .next())
    }

    async fn range(
        &self,
        account_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError> {
        if from > to {
            return Ok(Vec::new());
        }
        // `SNAP#<to>~` is above every id captured at `to`: both ends inclusive.
        let bounds = (snapshot_sk_at(from), format!("{}~", snapshot_sk_at(to)));
        self.read(account_id, bounds, true, usize::MAX, source)
            .await
    }

    async fn recent(
        &self,
        account_id: Uuid,
        limit: u32,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError> {
        let want = usize::try_from(limit).unwrap_or(usize::MAX);
        self.read(account_id, all(), false, want, source).await
    }

    async fn append(
        &self,
        snapshots: &[BalanceSnapshot],
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let body = snapshots
            .iter()
            .map(|s| {
                Ok(Group::one(
                    TransactWriteItem::builder()
                        .put(snapshot_put(&self.table, s)?)
                        .build(),
                    StoreError::Unavailable("dynamodb: snapshot write failed".to_owned()),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        commit_chunked(&self.table, "append snapshots", body, Vec::new(), events).await
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct SnapshotItem {
    PK: String,
    SK: String,
    entity: String,
    id: Uuid,
    user_id: Uuid,
    account_id: Uuid,
    balance: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    available_balance: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holdings_value: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cash_value: Option<Decimal>,
    currency: Currency,
    source: SnapshotSource,
    #[serde(with = "ts")]
    captured_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    change_amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    change_percent: Option<Decimal>,
}

impl SnapshotItem {
    fn new(s: &BalanceSnapshot) -> Self {
        Self {
            PK: account_pk(s.account_id),
            SK: snapshot_sk(s.captured_at, s.id),
            entity: "balance_snapshot".to_owned(),
            id: s.id,
            user_id: s.user_id,
            account_id: s.account_id,
            balance: s.balance,
            available_balance: s.available_balance,
            holdings_value: s.holdings_value,
            cash_value: s.cash_value,
            currency: s.currency,
            source: s.source,
            captured_at: s.captured_at,
            change_amount: s.change_amount,
            change_percent: s.change_percent,
        }
    }

    fn into_snapshot(self) -> BalanceSnapshot {
        BalanceSnapshot {
            id: self.id,
            user_id: self.user_id,
            account_id: self.account_id,
            balance: self.balance,
            available_balance: self.available_balance,
            holdings_value: self.holdings_value,
            cash_value: self.cash_value,
            currency: self.currency,
            source: self.source,
            captured_at: self.captured_at,
            change_amount: self.change_amount,
            change_percent: self.change_percent,
        }
    }
}
