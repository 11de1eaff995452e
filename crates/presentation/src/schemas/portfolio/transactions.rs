use chrono::{DateTime, NaiveDate, Utc};
use dashtam_application::portfolio::queries::TransactionList;
use dashtam_domain::{
    FieldError,
    portfolio::{Transaction, TransactionType},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::amounts::{money, money_opt, quantity};
use crate::schemas::{
    Validate,
    names::{
        AssetTypeName, CurrencyName, TransactionStatusName, TransactionSubtypeName,
        TransactionTypeName,
    },
};

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionResponse {
    pub id: Uuid,
    pub account_id: Uuid,
    pub provider_transaction_id: String,
    #[schema(value_type = TransactionTypeName)]
    pub transaction_type: String,
    #[schema(value_type = TransactionSubtypeName)]
    pub subtype: String,
    #[schema(value_type = TransactionStatusName)]
    pub status: String,
    /// Positive for credits, negative for debits.
    #[schema(example = "-164.8500")]
    pub amount_value: String,
    #[schema(value_type = CurrencyName)]
    pub amount_currency: String,
    pub description: String,
    #[schema(value_type = Option<AssetTypeName>)]
    pub asset_type: Option<String>,
    pub symbol: Option<String>,
    pub security_name: Option<String>,
    #[schema(example = "10.00000000")]
    pub quantity: Option<String>,
    pub unit_price_amount: Option<String>,
    #[schema(value_type = Option<CurrencyName>)]
    pub unit_price_currency: Option<String>,
    pub commission_amount: Option<String>,
    #[schema(value_type = Option<CurrencyName>)]
    pub commission_currency: Option<String>,
    pub transaction_date: NaiveDate,
    pub settlement_date: Option<NaiveDate>,
    pub is_trade: bool,
    pub is_transfer: bool,
    pub is_income: bool,
    pub is_fee: bool,
    pub is_debit: bool,
    pub is_credit: bool,
    pub is_settled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Transaction> for TransactionResponse {
    fn from(t: Transaction) -> Self {
        let currency = t.currency.to_string();
        Self {
            is_trade: t.is_trade(),
            is_transfer: t.is_transfer(),
            is_income: t.is_income(),
            is_fee: t.is_fee(),
            is_debit: t.is_debit(),
            is_credit: t.is_credit(),
            is_settled: t.is_settled(),
            id: t.id,
            account_id: t.account_id,
            provider_transaction_id: t.provider_transaction_id,
            transaction_type: t.transaction_type.to_string(),
            subtype: t.subtype.to_string(),
            status: t.status.to_string(),
            amount_value: money(t.amount),
            amount_currency: currency.clone(),
            description: t.description,
            asset_type: t.asset_type.map(|a| a.to_string()),
            symbol: t.symbol,
            security_name: t.security_name,
            quantity: t.quantity.map(quantity),
            unit_price_amount: money_opt(t.unit_price),
            unit_price_currency: t.unit_price.map(|_| currency.clone()),
            commission_amount: money_opt(t.commission),
            commission_currency: t.commission.map(|_| currency),
            transaction_date: t.transaction_date,
            settlement_date: t.settlement_date,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionListResponse {
    pub transactions: Vec<TransactionResponse>,
    /// Every transaction the account holds.
    pub total_count: u64,
    /// True only when another page exists.
    pub has_more: bool,
    /// Pass as `cursor` for the next page (same filters); null on the last page.
    pub next_cursor: Option<String>,
}

impl From<TransactionList> for TransactionListResponse {
    fn from(l: TransactionList) -> Self {
        Self {
            transactions: l.transactions.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
            has_more: l.has_more,
            next_cursor: l.next_cursor,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTransactionsQuery {
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Skip this many, newest first (default 0). Ignored with `cursor`.
    #[param(minimum = 0, maximum = 100000)]
    pub offset: Option<u32>,
    /// The `next_cursor` of the previous page (cheaper than a deep offset).
    #[param(min_length = 1, max_length = 512)]
    pub cursor: Option<String>,
    #[param(value_type = Option<TransactionTypeName>)]
    pub transaction_type: Option<TransactionType>,
    /// Inclusive.
    pub start_date: Option<NaiveDate>,
    /// Inclusive.
    pub end_date: Option<NaiveDate>,
}

impl Validate for ListTransactionsQuery {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            e.push(FieldError::new("limit", "out_of_range", "must be 1 to 100"));
        }
        if self.offset.is_some_and(|o| o > 100_000) {
            e.push(FieldError::new(
                "offset",
                "out_of_range",
                "must be at most 100000; use the cursor",
            ));
        }
        if let Some(c) = &self.cursor {
            crate::schemas::validate::length(&mut e, "cursor", c, 1, 512);
        }
        e
    }
}
