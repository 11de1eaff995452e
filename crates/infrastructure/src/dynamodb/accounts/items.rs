//! The stored shape of accounts and their `(connection, provider account id)` markers.

use chrono::{DateTime, Utc};
use dashtam_domain::portfolio::{Account, AccountType, Currency};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::dynamodb::{
    item::json_text,
    keys::{ACCOUNT_GSI1SK, account_key_sk, account_pk, account_sk, user_pk},
    ts,
};

/// Attributes a save removes when the account no longer has them.
pub(crate) const OPTIONAL: [&str; 4] = [
    "account_number_masked",
    "available_balance",
    "last_synced_at",
    "holdings_synced_at",
];

/// Moved only by transaction inserts (`ADD`); a save never writes it.
pub(crate) const COUNT: &str = "transaction_count";

/// Money is a `Decimal` stored as a DynamoDB string (exact, any scale; never `f64`).
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct AccountItem {
    pub PK: String,
    pub SK: String,
    /// `ACCOUNT#<id>` / `ACCOUNT`: `owner_of` from the id alone.
    pub GSI1PK: String,
    pub GSI1SK: String,
    pub entity: String,
    pub id: Uuid,
    pub user_id: Uuid,
    pub connection_id: Uuid,
    pub provider_account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number_masked: Option<String>,
    pub name: String,
    pub account_type: AccountType,
    pub currency: Currency,
    pub balance: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_balance: Option<Decimal>,
    pub is_active: bool,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub last_synced_at: Option<DateTime<Utc>>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub holdings_synced_at: Option<DateTime<Utc>>,
    #[serde(with = "json_text")]
    pub provider_metadata: Value,
    #[serde(default)]
    pub transaction_count: u64,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl AccountItem {
    /// The item as stored after a write of `a` (`version` + 1).
    pub(crate) fn new(a: &Account) -> Self {
        Self {
            PK: user_pk(a.user_id),
            SK: account_sk(a.id),
            GSI1PK: account_pk(a.id),
            GSI1SK: ACCOUNT_GSI1SK.to_owned(),
            entity: "account".to_owned(),
            id: a.id,
            user_id: a.user_id,
            connection_id: a.connection_id,
            provider_account_id: a.provider_account_id.clone(),
            account_number_masked: a.account_number_masked.clone(),
            name: a.name.clone(),
            account_type: a.account_type,
            currency: a.currency,
            balance: a.balance,
            available_balance: a.available_balance,
            is_active: a.is_active,
            last_synced_at: a.last_synced_at,
            holdings_synced_at: a.holdings_synced_at,
            provider_metadata: a.provider_metadata.clone(),
            transaction_count: a.transaction_count,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version.saturating_add(1),
        }
    }

    pub(crate) fn into_account(self) -> Account {
        Account {
            id: self.id,
            user_id: self.user_id,
            connection_id: self.connection_id,
            provider_account_id: self.provider_account_id,
            account_number_masked: self.account_number_masked,
            name: self.name,
            account_type: self.account_type,
            currency: self.currency,
            balance: self.balance,
            available_balance: self.available_balance,
            is_active: self.is_active,
            last_synced_at: self.last_synced_at,
            holdings_synced_at: self.holdings_synced_at,
            provider_metadata: self.provider_metadata,
            transaction_count: self.transaction_count,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// `USER#<uid>` / `ACCTKEY#<connection id>#<provider account id>`: one account per
/// provider account and connection.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct AccountKeyItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub account_id: Uuid,
}

impl AccountKeyItem {
    pub(crate) fn new(a: &Account) -> Self {
        Self {
            PK: user_pk(a.user_id),
            SK: account_key_sk(a.connection_id, &a.provider_account_id),
            entity: "account_key".to_owned(),
            account_id: a.id,
        }
    }
}
