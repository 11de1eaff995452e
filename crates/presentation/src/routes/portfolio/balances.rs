use axum::{Json, extract::State};
use dashtam_application::portfolio::queries::{LatestSnapshots, SnapshotHistory};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, ApiQuery, Authenticated},
    schemas::{
        Validate,
        portfolio::snapshots::{
            BalanceHistoryQuery, BalanceHistoryResponse, RecentSnapshotsQuery, SnapshotListResponse,
        },
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadAccounts);
    vec![
        route!(latest, read, Policy::ApiRead),
        route!(history, read, Policy::ApiRead),
        route!(recent, read, Policy::ApiRead),
    ]
}

/// The latest balance snapshot of each of the caller's accounts.
#[utoipa::path(get, path = "/api/v1/balance-snapshots", tag = "balances",
    responses((status = 200, body = SnapshotListResponse)))]
pub async fn latest(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
) -> Result<Json<SnapshotListResponse>, ApiError> {
    let list = LatestSnapshots {
        principal: &principal,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}

/// An account's snapshots between two dates (inclusive), oldest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/balance-history", tag = "balances",
    params(("id" = Uuid, Path), BalanceHistoryQuery),
    responses(
        (status = 200, body = BalanceHistoryResponse),
        (status = 400, description = "start_date after end_date", body = crate::Problem),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
    ))]
pub async fn history(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BalanceHistoryQuery>,
) -> Result<Json<BalanceHistoryResponse>, ApiError> {
    let h = SnapshotHistory {
        principal: &principal,
        account_id: id,
        range: Some((q.start_date, q.end_date)),
        limit: 0,
        source: q.source,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(h.into()))
}

/// An account's newest snapshots, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/balance-snapshots", tag = "balances",
    params(("id" = Uuid, Path), RecentSnapshotsQuery),
    responses((status = 200, body = BalanceHistoryResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn recent(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<RecentSnapshotsQuery>,
) -> Result<Json<BalanceHistoryResponse>, ApiError> {
    let q = q.validated()?;
    let h = SnapshotHistory {
        principal: &principal,
        account_id: id,
        range: None,
        limit: q.limit.unwrap_or(30),
        source: q.source,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(h.into()))
}
