//! The Trading API's JSON (providers.md §2.2–2.4): money as strings.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::providers::decimal;

/// `GET /v2/account`
#[derive(Debug, Deserialize)]
pub struct Account {
    pub account_number: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub equity: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub buying_power: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cash: Option<Decimal>,
}

/// An element of `GET /v2/positions`.
#[derive(Debug, Deserialize)]
pub struct Position {
    #[serde(default)]
    pub asset_id: Option<String>,
    pub symbol: String,
    #[serde(default)]
    pub asset_class: String,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub avg_entry_price: Option<Decimal>,
    #[serde(deserialize_with = "decimal::required")]
    pub qty: Decimal,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub market_value: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cost_basis: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub current_price: Option<Decimal>,
}

/// An element of `GET /v2/account/activities`: a FILL or a non-trade activity.
#[derive(Debug, Deserialize)]
pub struct Activity {
    pub id: String,
    pub activity_type: String,
    /// FILL
    #[serde(default)]
    pub transaction_time: Option<String>,
    /// Non-trade activities
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub qty: Option<Decimal>,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub net_amount: Option<Decimal>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}
