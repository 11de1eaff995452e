use axum::{Json, extract::State};
use dashtam_application::portfolio::queries::{NetWorthHistory, PortfolioSummary};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiQuery, Authenticated},
    schemas::portfolio::overview::{NetWorthQuery, NetWorthResponse, PortfolioSummaryResponse},
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadAccounts);
    vec![
        route!(net_worth, read, Policy::ApiRead),
        route!(summary, read, Policy::ApiRead),
    ]
}

/// The caller's net worth in one currency, day by day, from the balance snapshots: each
/// account's last snapshot on or before each day, money owed subtracted.
#[utoipa::path(get, path = "/api/v1/portfolio/net-worth", tag = "portfolio",
    params(NetWorthQuery),
    responses(
        (status = 200, body = NetWorthResponse),
        (status = 400, description = "start_date after end_date, a range over 5 years, or an unsupported currency", body = crate::Problem),
    ))]
pub async fn net_worth(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(q): ApiQuery<NetWorthQuery>,
) -> Result<Json<NetWorthResponse>, ApiError> {
    let series = NetWorthHistory {
        principal: &principal,
        start_date: q.start_date,
        end_date: q.end_date,
        currency: q.currency,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(series.into()))
}

/// Where the caller's money stands, per currency: net worth, its split by account type
/// and by asset type, and the change since the end of yesterday.
#[utoipa::path(get, path = "/api/v1/portfolio/summary", tag = "portfolio",
    responses((status = 200, body = PortfolioSummaryResponse)))]
pub async fn summary(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
) -> Result<Json<PortfolioSummaryResponse>, ApiError> {
    let summary = PortfolioSummary {
        principal: &principal,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(summary.into()))
}
