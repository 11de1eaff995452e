use axum::{Json, extract::State};
use dashtam_application::portfolio::queries::ListHoldings;
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, ApiQuery, Authenticated},
    schemas::{
        Validate,
        portfolio::holdings::{AccountHoldingsQuery, HoldingListResponse, ListHoldingsQuery},
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadAccounts);
    vec![
        route!(list, read, Policy::ApiRead),
        route!(of_account, read, Policy::ApiRead),
    ]
}

/// The caller's holdings across accounts, with totals per currency.
#[utoipa::path(get, path = "/api/v1/holdings", tag = "holdings", params(ListHoldingsQuery),
    responses((status = 200, body = HoldingListResponse)))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(q): ApiQuery<ListHoldingsQuery>,
) -> Result<Json<HoldingListResponse>, ApiError> {
    let q = q.validated()?;
    let list = ListHoldings {
        principal: &principal,
        account_id: None,
        active_only: q.active_only.unwrap_or(true),
        asset_type: q.asset_type,
        symbol: q.symbol,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}

/// One account's holdings.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/holdings", tag = "holdings",
    params(("id" = Uuid, Path), AccountHoldingsQuery),
    responses((status = 200, body = HoldingListResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn of_account(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AccountHoldingsQuery>,
) -> Result<Json<HoldingListResponse>, ApiError> {
    let list = ListHoldings {
        principal: &principal,
        account_id: Some(id),
        active_only: q.active_only.unwrap_or(true),
        asset_type: q.asset_type,
        symbol: None,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}
