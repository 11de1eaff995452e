use axum::{Json, extract::State};
use dashtam_application::portfolio::queries::{GetTransaction, ListTransactions};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, ApiQuery, Authenticated},
    schemas::{
        Validate,
        portfolio::transactions::{
            ListTransactionsQuery, TransactionListResponse, TransactionResponse,
        },
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadTransactions);
    vec![
        route!(get_one, read, Policy::ApiRead),
        route!(of_account, read, Policy::ApiRead),
    ]
}

/// One of the caller's transactions.
#[utoipa::path(get, path = "/api/v1/transactions/{id}", tag = "transactions", params(("id" = Uuid, Path)),
    responses((status = 200, body = TransactionResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TransactionResponse>, ApiError> {
    let t = GetTransaction {
        principal: &principal,
        transaction_id: id,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(t.into()))
}

/// An account's transactions, newest first: by `offset`, or by `cursor` (one query per
/// page however deep).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/transactions", tag = "transactions",
    params(("id" = Uuid, Path), ListTransactionsQuery),
    responses(
        (status = 200, body = TransactionListResponse),
        (status = 400, description = "start_date after end_date, or a cursor of another query", body = crate::Problem),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
    ))]
pub async fn of_account(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ListTransactionsQuery>,
) -> Result<Json<TransactionListResponse>, ApiError> {
    let q = q.validated()?;
    let list = ListTransactions {
        principal: &principal,
        account_id: id,
        start_date: q.start_date,
        end_date: q.end_date,
        transaction_type: q.transaction_type,
        limit: q.limit.unwrap_or(50),
        offset: q.offset.unwrap_or(0),
        cursor: q.cursor,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}
