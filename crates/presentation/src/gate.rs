//! The request gate: one route layer per declared route that reads the bearer token once
//! and verifies it at most once, takes a token from the caller's rate-limit bucket, then
//! authorises against the route's [`Access`]; the handler receives the [`Principal`].
//!
//! - Limiting comes before authorisation, so floods of bad or missing tokens are limited
//!   too (by IP), and a refused request costs one bucket update and nothing else.
//! - Allowed responses — handler answers and authorisation refusals alike — carry the
//!   bucket's `X-RateLimit-*` headers.

use std::sync::Arc;

use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use dashtam_application::{
    AppError, Principal,
    identity::commands::{AuthenticateVerified, VerifyBearer},
};
use dashtam_core::ErrorCode;
use dashtam_domain::{identity::ports::AccessClaims, platform::rate_limit::Policy};

use crate::{
    Access, ApiError, AppState,
    extract::{ClientIp, bearer_token},
    rate_limit::{self, Limited},
};

/// What the gate knows of its route, from the declaration.
pub(crate) struct Declared {
    pub access: Access,
    pub policy: Policy,
    /// `METHOD /template`: the bucket's route.
    pub route: String,
    pub template: String,
}

/// Who is asking (owned: the request body is not `Sync`, so the request itself cannot be
/// held across an await).
pub(crate) struct Caller {
    pub ip: String,
    pub path: String,
}

pub(crate) async fn gate(declared: Arc<Declared>, mut req: Request, next: Next) -> Response {
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        tracing::error!("request gate without application state");
        return ApiError::new(ErrorCode::InternalServerError, "Route misconfigured")
            .into_response();
    };
    let caller = Caller {
        ip: req
            .extensions()
            .get::<ClientIp>()
            .map_or_else(|| "unknown".to_owned(), |ip| ip.0.clone()),
        path: req.uri().path().to_owned(),
    };
    let bearer = bearer_token(req.headers()).map(str::to_owned);

    // 1. The bearer, verified once — only when someone needs the claims.
    let limits = state.rate_limits.clone();
    let wanted = declared.access != Access::Public
        || limits
            .as_ref()
            .is_some_and(|_| rate_limit::keyed_by_user(declared.policy));
    let claims: Option<Result<AccessClaims, AppError>> = match (bearer, wanted) {
        (Some(bearer), true) => Some(VerifyBearer { bearer: &bearer }.execute(&state.ports).await),
        _ => None,
    };

    // 2. The caller's bucket.
    let decision = match &limits {
        Some(limits) => {
            let verified = claims.as_ref().and_then(|c| c.as_ref().ok());
            match rate_limit::take(&state, limits, &declared, &caller, verified).await {
                Limited::Refused(response) => return response,
                Limited::Allowed(decision) => Some(decision),
                Limited::Unknown => None,
            }
        }
        None => None,
    };

    // 3. Who may call the route.
    let mut response = match authorise(&state, declared.access, claims).await {
        Ok(principal) => {
            if let Some(principal) = principal {
                req.extensions_mut().insert(principal);
            }
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    if let Some(decision) = &decision {
        rate_limit::set_headers(&mut response, decision);
    }
    response
}

/// The principal a guarded route needs (`None` for a public route).
async fn authorise(
    state: &AppState,
    access: Access,
    claims: Option<Result<AccessClaims, AppError>>,
) -> Result<Option<Principal>, ApiError> {
    if access == Access::Public {
        return Ok(None);
    }
    let claims = match claims {
        Some(claims) => claims?,
        None => return Err(ApiError::unauthorized("Valid authorization token required")),
    };
    let principal = AuthenticateVerified { claims }
        .execute(&state.ports)
        .await?;
    if let Access::Permission(p) = access {
        principal.require(p)?;
    }
    Ok(Some(principal))
}
