use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use dashtam_application::Principal;
use dashtam_core::ErrorCode;
use dashtam_domain::identity::entities::Permission;

use crate::ApiError;

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

/// The caller the request gate authenticated (and authorised against the route's declared
/// access). A handler on a route declared `Public` that asks for it is a wiring mistake:
/// it answers 500, which the route-table tests catch.
pub struct Authenticated(pub Principal);

/// The guard's caller, additionally required to hold the admin role now. Routes declare
/// their permission in the route table; this is for admin handlers that want the check
/// spelled out in their signature too.
pub struct Admin(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Authenticated(principal) = Authenticated::from_request_parts(parts, state).await?;
        principal.require(Permission::AdminConsole)?;
        Ok(Self(principal))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .remove::<Principal>()
            .map(Self)
            .ok_or_else(|| {
                tracing::error!("handler needs a principal but its route is public");
                ApiError::new(ErrorCode::InternalServerError, "Route misconfigured")
            })
    }
}
