//! The health of the asynchronous machinery: queue and dead-letter depths, and the last
//! run of each schedule. Merged into the Admin group (`/api/v1/admin/jobs`) and the
//! System group (`/health/jobs`).

use axum::{Json, extract::State};
use dashtam_application::platform::jobs::GetJobsHealth;
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};

use crate::routes::route;
use crate::{
    Access, AppState, Route,
    extract::Admin,
    schemas::platform::jobs::{JobsHealthResponse, PublicJobsHealthResponse},
};

/// Part of the admin group: the operator's view.
pub fn admin_route() -> Route {
    route!(
        admin_jobs,
        Access::Permission(Permission::AdminConsole),
        Policy::ApiRead,
    )
}

/// Part of the system group: public, verdicts only.
pub fn health_route() -> Route {
    route!(health_jobs, Access::Public, Policy::ApiRead)
}

/// Queue depths (audit, email and their dead-letter queues), the last run of each
/// schedule, and an overall `status`. Always 200 for an admin; what cannot be read is
/// reported in place (`error`) and makes the status `degraded`.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin",
    responses((status = 200, body = JobsHealthResponse), (status = 401, body = crate::Problem), (status = 403, body = crate::Problem)))]
pub async fn admin_jobs(
    State(state): State<AppState>,
    Admin(_): Admin,
) -> Json<JobsHealthResponse> {
    let health = GetJobsHealth.execute(&state.ports).await;
    Json(JobsHealthResponse::from(&health))
}

/// Public verdict on the async machinery: always 200 (a monitor reads `status`), with
/// `degraded` when a dead-letter queue holds messages or a schedule failed or is overdue.
#[utoipa::path(get, path = "/health/jobs", tag = "system",
    responses((status = 200, body = PublicJobsHealthResponse)))]
pub async fn health_jobs(State(state): State<AppState>) -> Json<PublicJobsHealthResponse> {
    let health = GetJobsHealth.execute(&state.ports).await;
    Json(PublicJobsHealthResponse::from(&health))
}
