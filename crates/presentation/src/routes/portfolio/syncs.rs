use axum::extract::State;
use dashtam_application::portfolio::commands::{SyncAccounts, SyncHoldings, SyncTransactions};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::{Created, created, route};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ApiPath, Authenticated, ClientContext, OptionalJson},
    schemas::portfolio::syncs::{
        AccountSyncResponse, HoldingsSyncResponse, SyncAccountsRequest, SyncHoldingsRequest,
        SyncTransactionsRequest, TransactionSyncResponse,
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(
            sync_accounts,
            Access::Permission(Permission::WriteAccounts),
            Policy::ProviderSync
        ),
        route!(
            sync_transactions,
            Access::Permission(Permission::WriteTransactions),
            Policy::ProviderSync
        ),
        route!(
            sync_holdings,
            Access::Permission(Permission::WriteAccounts),
            Policy::ProviderSync
        ),
    ]
}

/// Sync a connection's accounts from the provider (at most once per 5 minutes unless
/// `force`).
#[utoipa::path(post, path = "/api/v1/accounts/syncs", tag = "accounts", request_body = SyncAccountsRequest,
    responses(
        (status = 201, body = AccountSyncResponse),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
        (status = 409, description = "The connection is not active: reconnect it", body = crate::Problem),
    ))]
pub async fn sync_accounts(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<SyncAccountsRequest>,
) -> Result<Created<AccountSyncResponse>, ApiError> {
    let report = SyncAccounts {
        principal,
        connection_id: body.connection_id,
        force: body.force.unwrap_or(false),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(report.into()))
}

/// Sync transactions of a connection's accounts (or one account), inclusive dates,
/// default the last 30 days. Repeating it creates nothing twice.
#[utoipa::path(post, path = "/api/v1/transactions/syncs", tag = "transactions", request_body = SyncTransactionsRequest,
    responses(
        (status = 201, body = TransactionSyncResponse),
        (status = 400, description = "start_date after end_date", body = crate::Problem),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
        (status = 409, description = "The connection is not active: reconnect it", body = crate::Problem),
    ))]
pub async fn sync_transactions(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<SyncTransactionsRequest>,
) -> Result<Created<TransactionSyncResponse>, ApiError> {
    let report = SyncTransactions {
        principal,
        connection_id: body.connection_id,
        account_id: body.account_id,
        start_date: body.start_date,
        end_date: body.end_date,
        force: body.force.unwrap_or(false),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(report.into()))
}

/// Sync one account's holdings (at most once per 5 minutes unless `force`).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/holdings/syncs", tag = "holdings",
    params(("id" = Uuid, Path)), request_body(content = Option<SyncHoldingsRequest>),
    responses(
        (status = 201, body = HoldingsSyncResponse),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
        (status = 409, description = "The connection is not active: reconnect it", body = crate::Problem),
    ))]
pub async fn sync_holdings(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<SyncHoldingsRequest>,
) -> Result<Created<HoldingsSyncResponse>, ApiError> {
    let report = SyncHoldings {
        principal,
        account_id: id,
        force: body.force.unwrap_or(false),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(report.into()))
}
