//! What a provider reports, already mapped into Dashtam's classifications (the wire
//! formats stay in the adapters). Unknown provider values map to `other`/`unknown` and
//! are kept in `metadata`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::portfolio::{
    AccountType, AssetType, Currency, TransactionStatus, TransactionSubtype, TransactionType,
};

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderAccount {
    /// The provider's stable id of the account (Schwab: the account number, never used
    /// in a URL; Alpaca: `account_number`).
    pub provider_account_id: String,
    pub account_number_masked: Option<String>,
    pub name: String,
    pub account_type: AccountType,
    pub currency: Currency,
    pub balance: Decimal,
    pub available_balance: Option<Decimal>,
    pub is_active: bool,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderTransaction {
    pub provider_transaction_id: String,
    pub transaction_type: TransactionType,
    pub subtype: TransactionSubtype,
    pub status: TransactionStatus,
    pub amount: Decimal,
    pub currency: Currency,
    pub description: String,
    pub asset_type: Option<AssetType>,
    pub symbol: Option<String>,
    pub security_name: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub commission: Option<Decimal>,
    pub transaction_date: NaiveDate,
    pub settlement_date: Option<NaiveDate>,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderHolding {
    pub provider_holding_id: String,
    pub symbol: String,
    pub security_name: String,
    pub asset_type: AssetType,
    /// Negative for a short position.
    pub quantity: Decimal,
    pub cost_basis: Decimal,
    pub market_value: Decimal,
    pub currency: Currency,
    pub average_price: Option<Decimal>,
    pub current_price: Option<Decimal>,
    pub metadata: Value,
}

/// An inclusive window of calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}
