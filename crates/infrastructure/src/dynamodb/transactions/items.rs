//! The stored shape of transactions and their provider-id markers.

use chrono::{DateTime, NaiveDate, Utc};
use dashtam_domain::portfolio::{
    AssetType, Currency, Transaction, TransactionStatus, TransactionSubtype, TransactionType,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::dynamodb::{
    item::json_text,
    keys::{TXN_GSI1SK, account_pk, txn_gsi1pk, txn_key_sk, txn_sk},
    ts,
};

/// Amounts, quantities and prices as DynamoDB strings (exact `Decimal`s); dates as
/// `YYYY-MM-DD`.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct TransactionItem {
    pub PK: String,
    pub SK: String,
    /// `TRANSACTION#<id>` / `TRANSACTION`: found by id alone.
    pub GSI1PK: String,
    pub GSI1SK: String,
    pub entity: String,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_type: Option<AssetType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<Decimal>,
    pub transaction_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_date: Option<NaiveDate>,
    #[serde(with = "json_text")]
    pub provider_metadata: Value,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
}

impl TransactionItem {
    pub(crate) fn new(t: &Transaction) -> Self {
        Self {
            PK: account_pk(t.account_id),
            SK: txn_sk(t.transaction_date, t.id),
            GSI1PK: txn_gsi1pk(t.id),
            GSI1SK: TXN_GSI1SK.to_owned(),
            entity: "transaction".to_owned(),
            id: t.id,
            user_id: t.user_id,
            account_id: t.account_id,
            provider_transaction_id: t.provider_transaction_id.clone(),
            transaction_type: t.transaction_type,
            subtype: t.subtype,
            status: t.status,
            amount: t.amount,
            currency: t.currency,
            description: t.description.clone(),
            asset_type: t.asset_type,
            symbol: t.symbol.clone(),
            security_name: t.security_name.clone(),
            quantity: t.quantity,
            unit_price: t.unit_price,
            commission: t.commission,
            transaction_date: t.transaction_date,
            settlement_date: t.settlement_date,
            provider_metadata: t.provider_metadata.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }

    pub(crate) fn into_transaction(self) -> Transaction {
        Transaction {
            id: self.id,
            user_id: self.user_id,
            account_id: self.account_id,
            provider_transaction_id: self.provider_transaction_id,
            transaction_type: self.transaction_type,
            subtype: self.subtype,
            status: self.status,
            amount: self.amount,
            currency: self.currency,
            description: self.description,
            asset_type: self.asset_type,
            symbol: self.symbol,
            security_name: self.security_name,
            quantity: self.quantity,
            unit_price: self.unit_price,
            commission: self.commission,
            transaction_date: self.transaction_date,
            settlement_date: self.settlement_date,
            provider_metadata: self.provider_metadata,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `ACCOUNT#<aid>` / `TXNKEY#<provider transaction id>`: each provider transaction once
/// per account.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct TransactionKeyItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub transaction_id: Uuid,
    /// The row's [`Transaction::fingerprint`]: tells a reused FITID's rows apart.
    #[serde(default)]
    pub fingerprint: String,
}

impl TransactionKeyItem {
    pub(crate) fn new(t: &Transaction) -> Self {
        Self {
            PK: account_pk(t.account_id),
            SK: txn_key_sk(&t.provider_transaction_id),
            entity: "transaction_key".to_owned(),
            transaction_id: t.id,
            fingerprint: t.fingerprint(),
        }
    }
}
