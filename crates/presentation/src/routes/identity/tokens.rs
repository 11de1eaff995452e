use axum::extract::State;
use dashtam_application::identity::commands::RefreshTokens;
use dashtam_domain::platform::rate_limit::Policy;

use crate::routes::route;
use crate::routes::{Created, created};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, ClientContext},
    schemas::{
        Validate,
        identity::users::{RefreshRequest, TokenResponse},
    },
};

pub fn routes() -> Vec<Route> {
    vec![route!(refresh, Access::Public, Policy::AuthTokenRefresh,)]
}

/// Trade a refresh token for a new pair (the old one dies; reusing it revokes the session).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = RefreshRequest,
    responses((status = 201, body = TokenResponse), (status = 401, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    ClientContext(context): ClientContext,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Created<TokenResponse>, ApiError> {
    let body = body.validated()?;
    let pair = RefreshTokens {
        refresh_token: body.refresh_token,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(pair.into()))
}
