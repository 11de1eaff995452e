use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use dashtam_application::portfolio::queries::{CurrencySummary, NetWorthSeries, Summary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::amounts::{money, money_opt, percent};
use crate::schemas::names::CurrencyName;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NetWorthQuery {
    /// Inclusive; default 30 days before `end_date`. At most 5 years before `end_date`.
    pub start_date: Option<NaiveDate>,
    /// Inclusive; default today (UTC).
    pub end_date: Option<NaiveDate>,
    /// A supported ISO 4217 code (default USD); only accounts in it are counted, amounts
    /// are never converted.
    #[param(value_type = Option<CurrencyName>)]
    pub currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetWorthPointResponse {
    pub date: NaiveDate,
    /// At the end of the day (UTC): each account's last snapshot on or before it, money
    /// owed subtracted.
    #[schema(example = "10250.5000")]
    pub net_worth: String,
    /// Accounts with a snapshot on or before that day.
    pub accounts: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetWorthResponse {
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    /// One per day from `start` to `end`, oldest first.
    pub points: Vec<NetWorthPointResponse>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Last point minus first.
    pub change_amount: String,
    /// Against the first point; null when it was 0.
    pub change_percent: Option<String>,
}

impl From<NetWorthSeries> for NetWorthResponse {
    fn from(s: NetWorthSeries) -> Self {
        Self {
            currency: s.currency.to_string(),
            points: s
                .points
                .into_iter()
                .map(|p| NetWorthPointResponse {
                    date: p.date,
                    net_worth: money(p.net_worth),
                    accounts: p.accounts,
                })
                .collect(),
            start: s.start,
            end: s.end,
            change_amount: money(s.change_amount),
            change_percent: s.change_percent.map(percent),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencySummaryResponse {
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    /// Assets minus liabilities, over the active accounts.
    pub net_worth: String,
    pub assets: String,
    /// Money owed, as a positive amount.
    pub liabilities: String,
    pub account_count: u32,
    /// Each account type's net contribution (`{"brokerage": "1000.0000"}`; money owed
    /// negative).
    pub allocation_by_account_type: BTreeMap<String, String>,
    /// Market value of the open positions per asset type (`{"equity": "900.0000"}`).
    pub allocation_by_asset_type: BTreeMap<String, String>,
    /// Net worth at the end of yesterday (UTC) from the snapshots; null when no account
    /// had one by then.
    pub previous_net_worth: Option<String>,
    pub day_change_amount: Option<String>,
    pub day_change_percent: Option<String>,
}

impl From<CurrencySummary> for CurrencySummaryResponse {
    fn from(s: CurrencySummary) -> Self {
        let t = s.totals;
        Self {
            currency: s.currency.to_string(),
            net_worth: money(t.net_worth),
            assets: money(t.assets),
            liabilities: money(t.liabilities),
            account_count: t.account_count,
            allocation_by_account_type: t
                .by_account_type
                .iter()
                .map(|(k, v)| (k.to_string(), money(*v)))
                .collect(),
            allocation_by_asset_type: t
                .by_asset_type
                .iter()
                .map(|(k, v)| (k.to_string(), money(*v)))
                .collect(),
            previous_net_worth: money_opt(t.previous_net_worth),
            day_change_amount: money_opt(s.day_change_amount),
            day_change_percent: s.day_change_percent.map(percent),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioSummaryResponse {
    pub as_of: DateTime<Utc>,
    /// One per currency the active accounts hold.
    pub currencies: Vec<CurrencySummaryResponse>,
}

impl From<Summary> for PortfolioSummaryResponse {
    fn from(s: Summary) -> Self {
        Self {
            as_of: s.as_of,
            currencies: s.currencies.into_iter().map(Into::into).collect(),
        }
    }
}
