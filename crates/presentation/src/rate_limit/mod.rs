//! The rate limiter: a route layer that takes one token from the caller's bucket for the
//! matched route template before the handler runs.
//!
//! - Allowed: the response carries `X-RateLimit-Limit` (burst), `X-RateLimit-Remaining`
//!   and `X-RateLimit-Reset` (seconds until the bucket is full again — a delta, as in the
//!   original, not an epoch).
//! - Refused: 429 `rate_limit_exceeded` with `retry_after` in the body and `Retry-After`.
//! - The store failed: the request goes through and a warning is logged (fail-open).

mod routes;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use dashtam_domain::{
    ports::AccessClaims,
    rate_limit::{BucketKey, Decision, Policy, Scope},
};
use uuid::Uuid;

pub use routes::{first_path_param, policy_for};

use crate::{ApiError, AppState, extract::ClientIp, extract::bearer_token};

static LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
static RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");

/// The route layer (see the module docs). Without limits in the state it does nothing.
pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(limits) = state.rate_limits.clone() else {
        return next.run(req).await;
    };
    let Some(template) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
    else {
        return next.run(req).await;
    };
    let policy = policy_for(req.method(), &template);
    let route = format!("{} {template}", route_method(req.method()));
    let caller = Caller::of(&req);
    let (subject, claims) = subject(&state, caller, policy, &template).await;
    // The route guard authenticates with these instead of verifying the token again.
    if let Some(claims) = claims {
        req.extensions_mut().insert(VerifiedBearer(claims));
    }
    let key = BucketKey {
        policy,
        subject,
        route,
    };
    let now_ms = state.ports.clock.now().timestamp_millis();
    match state
        .ports
        .rate_limits
        .take(&key, limits.get(policy), now_ms)
        .await
    {
        Ok(decision) if decision.allowed => {
            let mut response = next.run(req).await;
            set_headers(&mut response, &decision);
            response
        }
        Ok(decision) => {
            let retry_after = decision.retry_after_secs();
            tracing::info!(policy = %policy, route = %key.route, retry_after, "rate limited");
            let mut response = ApiError::rate_limited(retry_after).into_response();
            set_headers(&mut response, &decision);
            response
                .headers_mut()
                .insert(RETRY_AFTER.clone(), HeaderValue::from(retry_after));
            response
        }
        Err(error) => {
            tracing::warn!(%error, policy = %policy, route = %key.route,
                "rate-limit store failed; request let through (fail-open)");
            next.run(req).await
        }
    }
}

/// HEAD shares GET's bucket (axum serves HEAD through the GET handler).
fn route_method(method: &Method) -> &str {
    if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    }
}

/// Who is asking, as far as the limiter cares (owned: the request body is not `Sync`,
/// so the request itself cannot be held across an await).
struct Caller {
    ip: String,
    bearer: Option<String>,
    path: String,
}

impl Caller {
    fn of(req: &Request) -> Self {
        Self {
            ip: req
                .extensions()
                .get::<ClientIp>()
                .map_or_else(|| "unknown".to_owned(), |ip| ip.0.clone()),
            bearer: bearer_token(req.headers()).map(str::to_owned),
            path: req.uri().path().to_owned(),
        }
    }
}

/// Whose bucket: `ip:<addr>`, `user:<id>` or `user:<id>:<path id>`. A user scope needs an
/// access token that verifies (signature, expiry, issuer, audience); without one the
/// caller is limited by IP, so floods of bad tokens are limited too.
/// Also answers the verified claims, when it verified the token.
async fn subject(
    state: &AppState,
    caller: Caller,
    policy: Policy,
    template: &str,
) -> (String, Option<AccessClaims>) {
    let by_ip = format!("ip:{}", caller.ip);
    if policy.scope() == Scope::Ip {
        return (by_ip, None);
    }
    let Some(token) = caller.bearer else {
        return (by_ip, None);
    };
    let Ok(claims) = state.ports.access_tokens.verify(&token).await else {
        return (by_ip, None);
    };
    let subject = user_subject(claims.sub, policy.scope(), template, &caller.path);
    (subject, Some(claims))
}

/// The claims of the request's bearer token, verified by the limiter.
#[derive(Clone)]
pub(crate) struct VerifiedBearer(pub(crate) AccessClaims);

/// `user:<id>`, or `user:<id>:<path id>` for a per-connection scope. Only a UUID counts as
/// a path id: anything else would let a client mint buckets at will (or overflow the key).
fn user_subject(user: Uuid, scope: Scope, template: &str, path: &str) -> String {
    match first_path_param(template, path).and_then(|id| Uuid::parse_str(id).ok()) {
        Some(id) if scope == Scope::UserConnection => format!("user:{user}:{id}"),
        _ => format!("user:{user}"),
    }
}

fn set_headers(response: &mut Response, d: &Decision) {
    let headers = response.headers_mut();
    headers.insert(LIMIT.clone(), HeaderValue::from(d.limit));
    headers.insert(REMAINING.clone(), HeaderValue::from(d.remaining));
    headers.insert(RESET.clone(), HeaderValue::from(d.reset_after_secs()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_connection_buckets_need_a_uuid_in_the_path() {
        let user = Uuid::now_v7();
        let conn = Uuid::now_v7();
        let template = "/api/v1/providers/{id}/token-refreshes";
        assert_eq!(
            user_subject(
                user,
                Scope::UserConnection,
                template,
                &format!("/api/v1/providers/{conn}/token-refreshes")
            ),
            format!("user:{user}:{conn}")
        );
        let long = "x".repeat(4000);
        assert_eq!(
            user_subject(
                user,
                Scope::UserConnection,
                template,
                &format!("/api/v1/providers/{long}/token-refreshes")
            ),
            format!("user:{user}")
        );
        assert_eq!(
            user_subject(
                user,
                Scope::User,
                template,
                &format!("/api/v1/providers/{conn}/token-refreshes")
            ),
            format!("user:{user}")
        );
        assert_eq!(
            user_subject(
                user,
                Scope::UserConnection,
                "/api/v1/accounts/syncs",
                "/api/v1/accounts/syncs"
            ),
            format!("user:{user}")
        );
    }
}
