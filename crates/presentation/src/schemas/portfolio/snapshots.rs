use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use dashtam_application::portfolio::queries::{BalanceHistory, SnapshotList};
use dashtam_domain::{
    FieldError,
    portfolio::{BalanceSnapshot, SnapshotSource},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::amounts::{money, money_opt, per_currency, percent};
use crate::schemas::{
    Validate,
    names::{CurrencyName, SnapshotSourceName},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotResponse {
    pub id: Uuid,
    pub account_id: Uuid,
    #[schema(example = "4045.8300")]
    pub balance: String,
    pub available_balance: Option<String>,
    pub holdings_value: Option<String>,
    pub cash_value: Option<String>,
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    #[schema(value_type = SnapshotSourceName)]
    pub source: String,
    pub captured_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Against the account's previous snapshot; null for its first.
    pub change_amount: Option<String>,
    /// Null for the first, or when the previous balance was 0.
    pub change_percent: Option<String>,
}

impl From<BalanceSnapshot> for SnapshotResponse {
    fn from(s: BalanceSnapshot) -> Self {
        Self {
            id: s.id,
            account_id: s.account_id,
            balance: money(s.balance),
            available_balance: money_opt(s.available_balance),
            holdings_value: money_opt(s.holdings_value),
            cash_value: money_opt(s.cash_value),
            currency: s.currency.to_string(),
            source: s.source.to_string(),
            captured_at: s.captured_at,
            created_at: s.captured_at,
            change_amount: money_opt(s.change_amount),
            change_percent: s.change_percent.map(percent),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotListResponse {
    /// The latest snapshot of each account.
    pub snapshots: Vec<SnapshotResponse>,
    pub total_count: usize,
    pub total_balance_by_currency: BTreeMap<String, String>,
}

impl From<SnapshotList> for SnapshotListResponse {
    fn from(l: SnapshotList) -> Self {
        Self {
            total_balance_by_currency: per_currency(&l.total_balance_by_currency),
            snapshots: l.snapshots.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceHistoryResponse {
    pub snapshots: Vec<SnapshotResponse>,
    pub total_count: usize,
    pub start_balance: Option<String>,
    pub end_balance: Option<String>,
    pub total_change_amount: Option<String>,
    pub total_change_percent: Option<String>,
    #[schema(value_type = CurrencyName)]
    pub currency: String,
}

impl From<BalanceHistory> for BalanceHistoryResponse {
    fn from(h: BalanceHistory) -> Self {
        Self {
            snapshots: h.snapshots.into_iter().map(Into::into).collect(),
            total_count: h.total_count,
            start_balance: money_opt(h.start_balance),
            end_balance: money_opt(h.end_balance),
            total_change_amount: money_opt(h.total_change_amount),
            total_change_percent: h.total_change_percent.map(percent),
            currency: h.currency.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BalanceHistoryQuery {
    /// Inclusive (required).
    pub start_date: NaiveDate,
    /// Inclusive (required); equal to `start_date` for one day.
    pub end_date: NaiveDate,
    #[param(value_type = Option<SnapshotSourceName>)]
    pub source: Option<SnapshotSource>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecentSnapshotsQuery {
    /// How many, 1–100 (default 30).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    #[param(value_type = Option<SnapshotSourceName>)]
    pub source: Option<SnapshotSource>,
}

impl Validate for RecentSnapshotsQuery {
    fn errors(&self) -> Vec<FieldError> {
        if self.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            vec![FieldError::new("limit", "out_of_range", "must be 1 to 100")]
        } else {
            Vec::new()
        }
    }
}
