//! Role management: admins grant and revoke roles (admin > user > readonly).

use axum::{Json, extract::State, http::StatusCode};
use dashtam_application::identity::commands::{ChangeRole, RoleChange};
use dashtam_domain::{
    identity::entities::{Permission, Role},
    platform::rate_limit::Policy,
};
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, Authenticated, ClientContext},
    schemas::{identity::roles::UserRolesResponse, names::RoleName},
};

pub fn routes() -> Vec<Route> {
    let manage = Access::Permission(Permission::ManageUsers);
    vec![
        route!(grant, manage, Policy::ApiWrite),
        route!(revoke, manage, Policy::ApiWrite),
    ]
}

/// Grant a role (`readonly`, `user`, `admin`). Counts from the user's next request.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/roles/{role}", tag = "admin",
    params(("id" = Uuid, Path), ("role" = RoleName, Path, description = "readonly, user or admin")),
    responses(
        (status = 201, description = "Granted", body = UserRolesResponse),
        (status = 200, description = "Already held: nothing changed (idempotent)", body = UserRolesResponse),
        (status = 401, body = crate::Problem),
        (status = 403, description = "Caller is not an admin", body = crate::Problem),
        (status = 404, description = "Unknown user", body = crate::Problem),
        (status = 409, description = "Concurrent change; retry", body = crate::Problem),
        (status = 422, description = "Unknown role or malformed id", body = crate::Problem),
    ))]
pub async fn grant(
    State(state): State<AppState>,
    Authenticated(admin): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath((id, role)): ApiPath<(Uuid, Role)>,
) -> Result<(StatusCode, Json<UserRolesResponse>), ApiError> {
    let r = ChangeRole {
        admin,
        user_id: id,
        role,
        change: RoleChange::Grant,
        context,
    }
    .execute(&state.ports)
    .await?;
    let (status, message) = if r.changed {
        (
            StatusCode::CREATED,
            format!("Role '{}' granted.", role.as_str()),
        )
    } else {
        (
            StatusCode::OK,
            format!("The user already holds role '{}'.", role.as_str()),
        )
    };
    Ok((
        status,
        Json(UserRolesResponse {
            user_id: r.user_id,
            roles: r.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            message,
        }),
    ))
}

/// Revoke a role (idempotent: 204 whether or not it was held). Refused with 409 for the
/// caller's own admin role, and for admin held through `DASHTAM_ADMIN_EMAILS`
/// (configuration keeps granting it: remove the email there).
#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/roles/{role}", tag = "admin",
    params(("id" = Uuid, Path), ("role" = RoleName, Path, description = "readonly, user or admin")),
    responses(
        (status = 204, description = "Revoked, or was not held"),
        (status = 401, body = crate::Problem),
        (status = 403, description = "Caller is not an admin", body = crate::Problem),
        (status = 404, description = "Unknown user", body = crate::Problem),
        (status = 409, description = "Own admin role, admin by configuration, or concurrent change", body = crate::Problem),
        (status = 422, description = "Unknown role or malformed id", body = crate::Problem),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Authenticated(admin): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath((id, role)): ApiPath<(Uuid, Role)>,
) -> Result<StatusCode, ApiError> {
    ChangeRole {
        admin,
        user_id: id,
        role,
        change: RoleChange::Revoke,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
