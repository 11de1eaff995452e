//! Token-version rotations after a breach (global, per user) and their configuration.

use axum::{Json, extract::State};
use dashtam_application::identity::{
    commands::{RotateGlobalTokens, RotateUserTokens},
    queries::GetSecurityConfig,
};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ApiPath, Authenticated, ClientContext},
    schemas::{
        Validate,
        identity::security_rotations::{
            GlobalRotationResponse, RotationRequest, SecurityConfigResponse, UserRotationResponse,
        },
    },
};

pub fn routes() -> Vec<Route> {
    let security = Access::Permission(Permission::ManageSecurity);
    vec![
        route!(rotate_global, security, Policy::ApiWrite),
        route!(rotate_user, security, Policy::ApiWrite),
        route!(security_config, security, Policy::ApiRead),
    ]
}

/// Breach response: every refresh token below the new version dies after the grace period.
#[utoipa::path(post, path = "/api/v1/admin/security/rotations", tag = "admin", request_body = RotationRequest,
    responses((status = 201, body = GlobalRotationResponse), (status = 401, body = crate::Problem), (status = 403, body = crate::Problem)))]
pub async fn rotate_global(
    State(state): State<AppState>,
    Authenticated(admin): Authenticated,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<RotationRequest>,
) -> Result<Created<GlobalRotationResponse>, ApiError> {
    let body = body.validated()?;
    let r = RotateGlobalTokens {
        admin,
        reason: body.reason(),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(GlobalRotationResponse {
        previous_version: r.previous_version,
        new_version: r.new_version,
        grace_period_seconds: r.grace_period_seconds,
        message: format!(
            "Global token rotation complete: tokens below version {} stop working after {} seconds.",
            r.new_version, r.grace_period_seconds
        ),
    }))
}

/// Kill every token of one user at once.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/rotations", tag = "admin", params(("id" = Uuid, Path)),
    request_body = RotationRequest,
    responses((status = 201, body = UserRotationResponse), (status = 403, body = crate::Problem), (status = 404, body = crate::Problem)))]
pub async fn rotate_user(
    State(state): State<AppState>,
    Authenticated(admin): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RotationRequest>,
) -> Result<Created<UserRotationResponse>, ApiError> {
    let body = body.validated()?;
    let r = RotateUserTokens {
        admin,
        user_id: id,
        reason: body.reason(),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(UserRotationResponse {
        user_id: r.user_id,
        previous_version: r.previous_version,
        new_version: r.new_version,
        message:
            "User token rotation complete: all of the user's sessions and tokens were revoked."
                .into(),
    }))
}

/// The token-version configuration.
#[utoipa::path(get, path = "/api/v1/admin/security/config", tag = "admin",
    responses((status = 200, body = SecurityConfigResponse), (status = 403, body = crate::Problem)))]
pub async fn security_config(
    State(state): State<AppState>,
) -> Result<Json<SecurityConfigResponse>, ApiError> {
    let c = GetSecurityConfig.execute(&state.ports).await?;
    Ok(Json(SecurityConfigResponse {
        global_min_token_version: c.global_min_token_version,
        grace_period_seconds: c.grace_period_seconds,
        last_rotation_at: c.last_rotation_at,
        last_rotation_reason: c.last_rotation_reason,
    }))
}
