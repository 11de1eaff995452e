use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::portfolio::{
    AssetType, Currency, TransactionStatus, TransactionSubtype, TransactionType,
};
use crate::providers::ProviderTransaction;

/// One movement of money or securities. Immutable once stored; unique per
/// `(account_id, provider_transaction_id)`. Positive amounts are credits.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
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
    pub provider_metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Transaction {
    pub fn record(
        id: Uuid,
        user_id: Uuid,
        account_id: Uuid,
        data: ProviderTransaction,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            account_id,
            provider_transaction_id: data.provider_transaction_id,
            transaction_type: data.transaction_type,
            subtype: data.subtype,
            status: data.status,
            amount: data.amount,
            currency: data.currency,
            description: data.description,
            asset_type: data.asset_type,
            symbol: data.symbol,
            security_name: data.security_name,
            quantity: data.quantity,
            unit_price: data.unit_price,
            commission: data.commission,
            transaction_date: data.transaction_date,
            settlement_date: data.settlement_date,
            provider_metadata: data.metadata,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_trade(&self) -> bool {
        self.transaction_type == TransactionType::Trade
    }
    pub fn is_transfer(&self) -> bool {
        self.transaction_type == TransactionType::Transfer
    }
    pub fn is_income(&self) -> bool {
        self.transaction_type == TransactionType::Income
    }
    pub fn is_fee(&self) -> bool {
        self.transaction_type == TransactionType::Fee
    }
    pub fn is_debit(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }
    pub fn is_credit(&self) -> bool {
        self.amount.is_sign_positive() && !self.amount.is_zero()
    }
    pub fn is_settled(&self) -> bool {
        self.status == TransactionStatus::Settled
    }
}
