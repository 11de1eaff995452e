use dashtam_domain::portfolio::{Account, AccountType};
use uuid::Uuid;

use super::{ByCurrency, by_currency};
use crate::{
    AppError, Ports, dto::Principal, portfolio::owned_account, providers::owned_connection,
};

/// The caller's accounts, optionally of one connection (403/404 for a connection not
/// theirs) or one type.
pub struct ListAccounts<'a> {
    pub principal: &'a Principal,
    pub connection_id: Option<Uuid>,
    pub active_only: bool,
    pub account_type: Option<AccountType>,
}

#[derive(Debug, Clone)]
pub struct AccountList {
    pub accounts: Vec<Account>,
    pub total_count: usize,
    pub active_count: usize,
    /// Of the accounts listed, by currency.
    pub total_balance_by_currency: ByCurrency,
}

impl ListAccounts<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<AccountList, AppError> {
        let user_id = self.principal.user_id;
        if let Some(id) = self.connection_id {
            owned_connection(ports, user_id, id).await?;
        }
        let accounts: Vec<Account> = ports
            .portfolio
            .accounts
            .list_for_user(user_id)
            .await?
            .into_iter()
            .filter(|a| self.connection_id.is_none_or(|c| a.connection_id == c))
            .filter(|a| self.account_type.is_none_or(|t| a.account_type == t))
            .filter(|a| !self.active_only || a.is_active)
            .collect();
        Ok(AccountList {
            total_count: accounts.len(),
            active_count: accounts.iter().filter(|a| a.is_active).count(),
            total_balance_by_currency: by_currency(&accounts, |a| Some((a.currency, a.balance))),
            accounts,
        })
    }
}

/// One of the caller's accounts.
pub struct GetAccount<'a> {
    pub principal: &'a Principal,
    pub account_id: Uuid,
}

impl GetAccount<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Account, AppError> {
        owned_account(ports, self.principal.user_id, self.account_id).await
    }
}
