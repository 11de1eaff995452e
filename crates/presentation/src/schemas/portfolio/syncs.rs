use chrono::NaiveDate;
use dashtam_application::portfolio::commands::SyncReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncAccountsRequest {
    pub connection_id: Uuid,
    /// Sync even within 5 minutes of the last account sync.
    pub force: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncTransactionsRequest {
    pub connection_id: Uuid,
    /// One account of the connection; default every active one.
    pub account_id: Option<Uuid>,
    /// Inclusive; default 30 days before `end_date`.
    pub start_date: Option<NaiveDate>,
    /// Inclusive; default today.
    pub end_date: Option<NaiveDate>,
    pub force: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncHoldingsRequest {
    /// Sync even within 5 minutes of the last holdings sync of this account.
    pub force: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountSyncResponse {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
    pub message: String,
    pub accounts_created: u64,
    pub accounts_updated: u64,
}

impl From<SyncReport> for AccountSyncResponse {
    fn from(r: SyncReport) -> Self {
        Self {
            accounts_created: r.created,
            accounts_updated: r.updated,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            errors: r.errors,
            message: r.message,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionSyncResponse {
    pub created: u64,
    /// Always 0: stored transactions are never rewritten.
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
    pub message: String,
    pub transactions_created: u64,
    pub transactions_updated: u64,
}

impl From<SyncReport> for TransactionSyncResponse {
    fn from(r: SyncReport) -> Self {
        Self {
            transactions_created: r.created,
            transactions_updated: r.updated,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            errors: r.errors,
            message: r.message,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingsSyncResponse {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
    pub message: String,
    pub holdings_created: u64,
    pub holdings_updated: u64,
    pub holdings_deactivated: u64,
}

impl From<SyncReport> for HoldingsSyncResponse {
    fn from(r: SyncReport) -> Self {
        Self {
            holdings_created: r.created,
            holdings_updated: r.updated,
            holdings_deactivated: r.deactivated,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            errors: r.errors,
            message: r.message,
        }
    }
}
