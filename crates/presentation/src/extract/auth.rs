use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use dashtam_application::{
    commands::{Authenticate, RequireAdmin},
    dto::Principal,
};

use crate::{ApiError, AppState};

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
}

/// A caller with a valid access token whose session is still live.
pub struct Authenticated(pub Principal);

/// An authenticated caller who holds the admin role right now.
pub struct Admin(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = bearer_token(&parts.headers)
            .ok_or_else(|| ApiError::unauthorized("Valid authorization token required"))?;
        let principal = Authenticate { bearer }.execute(&state.ports).await?;
        Ok(Self(principal))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Authenticated(principal) = Authenticated::from_request_parts(parts, state).await?;
        RequireAdmin {
            principal: &principal,
        }
        .execute(&state.ports)
        .await?;
        Ok(Self(principal))
    }
}
