use axum::{Json, extract::State, http::StatusCode};
use dashtam_application::identity::{
    commands::{Login, Logout, RevokeOtherSessions, RevokeSession},
    queries::{GetSession, ListSessions},
};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ApiPath, ApiQuery, Authenticated, ClientContext, OptionalJson},
    schemas::{
        Validate,
        identity::{
            sessions::{
                ListSessionsQuery, RevokeAllResponse, RevokeRequest, SessionListResponse,
                SessionResponse,
            },
            users::{LoginRequest, RefreshRequest, TokenResponse},
        },
        validate::WithEmail,
    },
};

pub fn routes() -> Vec<Route> {
    let read = Access::Permission(Permission::ReadSessions);
    let write = Access::Permission(Permission::WriteSessions);
    vec![
        route!(login, Access::Public, Policy::AuthLogin),
        route!(list, read, Policy::ApiRead),
        route!(revoke_others, write, Policy::ApiWrite),
        // Anyone signed in may sign out, whatever their roles: ending one's own session
        // only reduces access.
        route!(logout, Access::Authenticated, Policy::ApiWrite),
        route!(get_one, read, Policy::ApiRead),
        route!(revoke, write, Policy::ApiWrite),
    ]
}

/// Log in: opens a session and returns the token pair.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, body = TokenResponse),
        (status = 401, description = "Unknown email or wrong password", body = crate::Problem),
        (status = 403, description = "Unverified, locked or inactive", body = crate::Problem),
        (status = 422, body = crate::Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Created<TokenResponse>, ApiError> {
    let (email, body) = body.parsed()?;
    let pair = Login {
        email,
        password: body.password,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(pair.into()))
}

/// Log out: ends the current session and its tokens.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions", request_body = RefreshRequest,
    responses((status = 204), (status = 401, body = crate::Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    let body = body.validated()?;
    Logout {
        principal,
        refresh_token: body.refresh_token,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's sessions, newest first.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", params(ListSessionsQuery),
    responses((status = 200, body = SessionListResponse), (status = 401, body = crate::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(q): ApiQuery<ListSessionsQuery>,
) -> Result<Json<SessionListResponse>, ApiError> {
    let list = ListSessions {
        principal: &principal,
        active_only: q.active_only.unwrap_or(true),
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(list.into()))
}

/// One of the caller's sessions (404 for anyone else's).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionResponse), (status = 404, body = crate::Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SessionResponse>, ApiError> {
    let view = GetSession {
        principal: &principal,
        session_id: id,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(view.into()))
}

/// Revoke one session (idempotent).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = Uuid, Path)),
    request_body(content = Option<RevokeRequest>),
    responses((status = 204), (status = 404, body = crate::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<RevokeRequest>,
) -> Result<StatusCode, ApiError> {
    let body = body.validated()?;
    RevokeSession {
        principal,
        session_id: id,
        reason: body.reason.unwrap_or_else(|| "manual".into()),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoke every session except the current one.
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "sessions",
    request_body(content = Option<RevokeRequest>),
    responses((status = 200, body = RevokeAllResponse), (status = 401, body = crate::Problem)))]
pub async fn revoke_others(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    OptionalJson(body): OptionalJson<RevokeRequest>,
) -> Result<Json<RevokeAllResponse>, ApiError> {
    let body = body.validated()?;
    let count = RevokeOtherSessions {
        principal,
        reason: body.reason.unwrap_or_else(|| "logout_all".into()),
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(Json(RevokeAllResponse {
        revoked_count: count,
        message: format!("{count} session(s) revoked successfully"),
    }))
}
