//! The admin view of the audit trail.

use axum::{Json, extract::State};
use dashtam_application::platform::queries::ListAuditRecords;
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{Admin, ApiQuery},
    schemas::platform::audit::{AuditListResponse, AuditQueryParams},
};

pub fn routes() -> Vec<Route> {
    vec![route!(
        list,
        Access::Permission(Permission::AdminConsole),
        Policy::ApiRead,
    )]
}

/// Audit records, newest first, with signed cursors bound to the filters.
///
/// Without `user_id` the trail is walked one UTC day at a time from now back to `since`;
/// `action` is applied while walking, so a page may hold fewer than `limit` records (even
/// none) while `next_cursor` is set — keep following it until it is null. A cursor that
/// was altered or is sent with other filters is refused with 400.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQueryParams),
    responses(
        (status = 200, body = AuditListResponse),
        (status = 400, description = "Invalid cursor, or a cursor from other filters", body = crate::Problem),
        (status = 401, body = crate::Problem),
        (status = 403, body = crate::Problem),
        (status = 422, description = "Bad limit, since, user_id or action", body = crate::Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Admin(_): Admin,
    ApiQuery(q): ApiQuery<AuditQueryParams>,
) -> Result<Json<AuditListResponse>, ApiError> {
    let errors = q.errors(state.ports.clock.now());
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = ListAuditRecords {
        user_id: q.user_id,
        action: q.action,
        since: q.since,
        limit: q.limit.unwrap_or(AuditQueryParams::DEFAULT_LIMIT),
        cursor: q.cursor,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(page.into()))
}
