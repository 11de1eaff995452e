//! The Trader API's JSON (providers.md §1.2–1.5), only the fields Dashtam reads; each
//! element is also kept whole as a `Value` for `metadata`.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use crate::providers::decimal;

/// `GET /accounts/accountNumbers`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountNumber {
    pub account_number: String,
    pub hash_value: String,
}

/// One element of `GET /accounts`, or `GET /accounts/{hash}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub securities_account: SecuritiesAccount,
    #[serde(default)]
    pub aggregated_balance: Option<AggregatedBalance>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecuritiesAccount {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub account_number: String,
    #[serde(default)]
    pub positions: Vec<Value>,
    #[serde(default)]
    pub current_balances: Option<Balances>,
    #[serde(default)]
    pub projected_balances: Option<Balances>,
}

/// The union of the CASH and MARGIN balance schemas, as far as Dashtam reads them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balances {
    #[serde(default, deserialize_with = "decimal::optional")]
    pub liquidation_value: Option<Decimal>,
    /// MARGIN
    #[serde(default, deserialize_with = "decimal::optional")]
    pub available_funds: Option<Decimal>,
    /// CASH
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cash_available_for_trading: Option<Decimal>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregatedBalance {
    #[serde(default, deserialize_with = "decimal::optional")]
    pub liquidation_value: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub current_liquidation_value: Option<Decimal>,
}

/// `securitiesAccount.positions[]`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    #[serde(default, deserialize_with = "decimal::optional")]
    pub long_quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub short_quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub average_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub average_long_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub average_short_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub market_value: Option<Decimal>,
    pub instrument: Instrument,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instrument {
    #[serde(default)]
    pub asset_type: String,
    #[serde(default)]
    pub cusip: Option<String>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub underlying_symbol: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub option_multiplier: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub option_premium_multiplier: Option<Decimal>,
}

/// `GET /userPreference`
#[derive(Debug, Default, Deserialize)]
pub struct UserPreference {
    #[serde(default)]
    pub accounts: Vec<PreferenceAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferenceAccount {
    pub account_number: String,
    #[serde(default)]
    pub nick_name: Option<String>,
}

/// One element of `GET /accounts/{hash}/transactions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub activity_id: Value,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub trade_date: Option<String>,
    #[serde(default)]
    pub settlement_date: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub net_amount: Option<Decimal>,
    #[serde(default)]
    pub transfer_items: Vec<TransferItem>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferItem {
    #[serde(default)]
    pub instrument: Instrument,
    /// The quantity (negative on a sell or close); a fee leg's fee.
    #[serde(default, deserialize_with = "decimal::optional")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cost: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub price: Option<Decimal>,
    #[serde(default)]
    pub fee_type: Option<String>,
    #[serde(default)]
    pub position_effect: Option<String>,
}

impl TransferItem {
    pub fn is_fee(&self) -> bool {
        self.fee_type.as_deref().is_some_and(|f| !f.is_empty())
    }

    pub fn is_cash(&self) -> bool {
        self.instrument.asset_type == "CURRENCY"
    }
}
