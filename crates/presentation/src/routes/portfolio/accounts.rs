use axum::{Json, extract::State};
use dashtam_application::portfolio::queries::{GetAccount, ListAccounts};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, ApiQuery, Authenticated},
    schemas::portfolio::accounts::{
        AccountListResponse, AccountResponse, ConnectionAccountsQuery, ListAccountsQuery,
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadAccounts);
    vec![
        route!(list, read, Policy::ApiRead),
        route!(get_one, read, Policy::ApiRead),
        route!(of_connection, read, Policy::ApiRead),
    ]
}

/// The caller's accounts, with their balances per currency.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(ListAccountsQuery),
    responses((status = 200, body = AccountListResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(q): ApiQuery<ListAccountsQuery>,
) -> Result<Json<AccountListResponse>, ApiError> {
    let list = ListAccounts {
        principal: &principal,
        connection_id: None,
        active_only: q.active_only.unwrap_or(false),
        account_type: q.account_type,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}

/// One of the caller's accounts.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = AccountResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<AccountResponse>, ApiError> {
    let account = GetAccount {
        principal: &principal,
        account_id: id,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(account.into()))
}

/// The accounts of one of the caller's connections.
#[utoipa::path(get, path = "/api/v1/providers/{id}/accounts", tag = "accounts",
    params(("id" = Uuid, Path), ConnectionAccountsQuery),
    responses((status = 200, body = AccountListResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn of_connection(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ConnectionAccountsQuery>,
) -> Result<Json<AccountListResponse>, ApiError> {
    let list = ListAccounts {
        principal: &principal,
        connection_id: Some(id),
        active_only: q.active_only.unwrap_or(false),
        account_type: None,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}
