use axum::{Json, extract::State};
use dashtam_application::identity::{commands::RegisterUser, queries::GetCurrentUser};
use dashtam_domain::platform::rate_limit::Policy;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, Authenticated, ClientContext},
    schemas::{
        identity::users::{RegisterRequest, RegisterResponse, UserProfileResponse},
        validate::WithEmail,
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(register, Access::Public, Policy::AuthRegister),
        // Every live session may read its own profile (roles included), whatever its roles.
        route!(me, Access::Authenticated, Policy::ApiRead),
    ]
}

/// Register an account; a verification email follows.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = RegisterRequest,
    responses(
        (status = 201, body = RegisterResponse),
        (status = 400, description = "Password policy not met", body = crate::Problem),
        (status = 409, description = "Email already registered", body = crate::Problem),
        (status = 422, description = "Malformed request", body = crate::Problem),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<Created<RegisterResponse>, ApiError> {
    let (email, body) = body.parsed()?;
    let user = RegisterUser {
        email,
        password: body.password,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(RegisterResponse {
        id: user.id,
        email: user.email,
        message: "Registration successful. Please check your email to verify your account.".into(),
    }))
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users",
    responses((status = 200, body = UserProfileResponse), (status = 401, body = crate::Problem)))]
pub async fn me(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
) -> Result<Json<UserProfileResponse>, ApiError> {
    let p = GetCurrentUser {
        principal: &principal,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(UserProfileResponse {
        id: p.id,
        email: p.email,
        is_verified: p.is_verified,
        roles: p.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        session_tier: p.session_tier.as_str().to_owned(),
        created_at: p.created_at,
    }))
}
