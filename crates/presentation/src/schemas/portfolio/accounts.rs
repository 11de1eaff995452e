use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use dashtam_application::portfolio::queries::AccountList;
use dashtam_domain::portfolio::{Account, AccountType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::amounts::{money, money_opt, per_currency};
use crate::schemas::names::{AccountTypeName, CurrencyName};

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub provider_account_id: String,
    pub account_number_masked: Option<String>,
    pub name: String,
    #[schema(value_type = AccountTypeName)]
    pub account_type: String,
    #[schema(value_type = CurrencyName)]
    pub currency: String,
    #[schema(example = "1234.5600")]
    pub balance_amount: String,
    #[schema(value_type = CurrencyName)]
    pub balance_currency: String,
    #[schema(example = "1200.0000")]
    pub available_balance_amount: Option<String>,
    #[schema(value_type = Option<CurrencyName>)]
    pub available_balance_currency: Option<String>,
    pub is_active: bool,
    pub is_investment: bool,
    pub is_bank: bool,
    pub is_retirement: bool,
    pub is_credit: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountResponse {
    fn from(a: Account) -> Self {
        let t = a.account_type;
        Self {
            id: a.id,
            connection_id: a.connection_id,
            provider_account_id: a.provider_account_id,
            account_number_masked: a.account_number_masked,
            name: a.name,
            account_type: t.to_string(),
            currency: a.currency.to_string(),
            balance_amount: money(a.balance),
            balance_currency: a.currency.to_string(),
            available_balance_amount: money_opt(a.available_balance),
            available_balance_currency: a.available_balance.map(|_| a.currency.to_string()),
            is_active: a.is_active,
            is_investment: t.is_investment(),
            is_bank: t.is_bank(),
            is_retirement: t.is_retirement(),
            is_credit: t.is_credit(),
            last_synced_at: a.last_synced_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountListResponse {
    pub accounts: Vec<AccountResponse>,
    pub total_count: usize,
    pub active_count: usize,
    /// Balances of the listed accounts per currency, e.g. `{"USD": "1234.5600"}`.
    pub total_balance_by_currency: BTreeMap<String, String>,
}

impl From<AccountList> for AccountListResponse {
    fn from(l: AccountList) -> Self {
        Self {
            total_balance_by_currency: per_currency(&l.total_balance_by_currency),
            accounts: l.accounts.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
            active_count: l.active_count,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAccountsQuery {
    /// Only active accounts (default false).
    pub active_only: Option<bool>,
    /// One account type.
    #[param(value_type = Option<AccountTypeName>)]
    pub account_type: Option<AccountType>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConnectionAccountsQuery {
    /// Only active accounts (default false).
    pub active_only: Option<bool>,
}
