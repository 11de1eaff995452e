use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::portfolio::{AccountType, Currency, Money};
use crate::providers::ProviderAccount;

/// A financial account at a provider, owned by one user through one connection.
/// Unique per `(connection_id, provider_account_id)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub user_id: Uuid,
    pub connection_id: Uuid,
    pub provider_account_id: String,
    pub account_number_masked: Option<String>,
    pub name: String,
    pub account_type: AccountType,
    pub currency: Currency,
    pub balance: Decimal,
    pub available_balance: Option<Decimal>,
    pub is_active: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// When its holdings were last synced: the holdings sync's own 5-minute guard.
    pub holdings_synced_at: Option<DateTime<Utc>>,
    pub provider_metadata: Value,
    /// How many transactions it holds (kept by the store with every insert).
    pub transaction_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic lock: what the store holds; a save writes `version + 1`.
    pub version: u64,
}

/// What a sync did to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

impl Account {
    /// A new account from the provider's view of it.
    pub fn open(
        id: Uuid,
        user_id: Uuid,
        connection_id: Uuid,
        data: &ProviderAccount,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            connection_id,
            provider_account_id: data.provider_account_id.clone(),
            account_number_masked: data.account_number_masked.clone(),
            name: data.name.clone(),
            account_type: data.account_type,
            currency: data.currency,
            balance: data.balance,
            available_balance: data.available_balance,
            is_active: data.is_active,
            last_synced_at: Some(now),
            holdings_synced_at: None,
            provider_metadata: data.metadata.clone(),
            transaction_count: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Applies the provider's view; `Updated` when anything the user sees changed
    /// (balance, name, type, activity, metadata), else `Unchanged`. The sync time moves
    /// either way. A currency change is refused: it would silently reprice history.
    pub fn apply(
        &mut self,
        data: &ProviderAccount,
        now: DateTime<Utc>,
    ) -> Result<Change, crate::portfolio::CurrencyMismatch> {
        if data.currency != self.currency {
            return Err(crate::portfolio::CurrencyMismatch(
                self.currency,
                data.currency,
            ));
        }
        let changed = self.balance != data.balance
            || self.available_balance != data.available_balance
            || self.name != data.name
            || self.account_type != data.account_type
            || self.is_active != data.is_active
            || self.account_number_masked != data.account_number_masked
            || self.provider_metadata != data.metadata;
        self.balance = data.balance;
        self.available_balance = data.available_balance;
        self.name = data.name.clone();
        self.account_type = data.account_type;
        self.is_active = data.is_active;
        self.account_number_masked = data.account_number_masked.clone();
        self.provider_metadata = data.metadata.clone();
        self.last_synced_at = Some(now);
        if changed {
            self.updated_at = now;
            Ok(Change::Updated)
        } else {
            Ok(Change::Unchanged)
        }
    }

    pub fn balance_money(&self) -> Money {
        Money::new(self.balance, self.currency)
    }

    /// The balance as it counts towards net worth: money owed is negative.
    pub fn net_worth_contribution(&self) -> Decimal {
        if self.account_type.is_credit() {
            -self.balance.abs()
        } else {
            self.balance
        }
    }
}

/// `****1234`: the last four characters of an account number, or `None` when empty.
pub fn mask_account_number(number: &str) -> Option<String> {
    let chars: Vec<char> = number.trim().chars().collect();
    if chars.is_empty() {
        return None;
    }
    let last: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    Some(format!("****{last}"))
}
