//! The rate limiter, the gate's second step: one token from the caller's bucket for the
//! declared route (method and template) before the route is authorised and its handler
//! runs. The policy is the route's declaration ([`crate::Route`]).
//!
//! - Allowed: the response carries `X-RateLimit-Limit` (burst), `X-RateLimit-Remaining`
//!   and `X-RateLimit-Reset` (seconds until the bucket is full again — a delta, as in the
//!   original, not an epoch).
//! - Refused: 429 `rate_limit_exceeded` with `retry_after` in the body and `Retry-After`.
//! - The store failed: the request goes through and a warning is logged (fail-open).

use axum::{
    http::{HeaderName, HeaderValue},
    response::{IntoResponse, Response},
};
use dashtam_application::platform::TakeRateLimit;
use dashtam_domain::{
    identity::ports::AccessClaims,
    platform::rate_limit::{BucketKey, Decision, Limits, Policy, Scope},
};
use uuid::Uuid;

use crate::{
    ApiError, AppState,
    gate::{Caller, Declared},
};

static LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
static RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");

/// What the bucket said.
pub(crate) enum Limited {
    Allowed(Decision),
    /// The 429 response, headers and all.
    Refused(Response),
    /// The store failed: let the request through (fail-open), without headers.
    Unknown,
}

/// Whether the policy keys buckets by user (so the limiter wants the verified claims).
pub(crate) fn keyed_by_user(policy: Policy) -> bool {
    policy.scope() != Scope::Ip
}

/// Takes one token from the caller's bucket for the declared route.
pub(crate) async fn take(
    state: &AppState,
    limits: &Limits,
    declared: &Declared,
    caller: &Caller,
    claims: Option<&AccessClaims>,
) -> Limited {
    let policy = declared.policy;
    let key = BucketKey {
        policy,
        subject: subject(caller, policy, &declared.template, claims),
        route: declared.route.clone(),
    };
    match (TakeRateLimit {
        key: &key,
        limit: limits.get(policy),
    })
    .execute(&state.ports)
    .await
    {
        Ok(decision) if decision.allowed => Limited::Allowed(decision),
        Ok(decision) => {
            let retry_after = decision.retry_after_secs();
            tracing::info!(policy = %policy, route = %key.route, retry_after, "rate limited");
            let mut response = ApiError::rate_limited(retry_after).into_response();
            set_headers(&mut response, &decision);
            response
                .headers_mut()
                .insert(RETRY_AFTER.clone(), HeaderValue::from(retry_after));
            Limited::Refused(response)
        }
        Err(error) => {
            tracing::warn!(%error, policy = %policy, route = %key.route,
                "rate-limit store failed; request let through (fail-open)");
            Limited::Unknown
        }
    }
}

/// Whose bucket: `ip:<addr>`, `user:<id>` or `user:<id>:<path id>`. A user scope needs an
/// access token that verifies (signature, expiry, issuer, audience); without one the
/// caller is limited by IP, so floods of bad tokens are limited too.
fn subject(
    caller: &Caller,
    policy: Policy,
    template: &str,
    claims: Option<&AccessClaims>,
) -> String {
    match claims {
        Some(claims) if keyed_by_user(policy) => {
            user_subject(claims.sub, policy.scope(), template, &caller.path)
        }
        _ => format!("ip:{}", caller.ip),
    }
}

/// `user:<id>`, or `user:<id>:<path id>` for a per-connection scope. Only a UUID counts as
/// a path id: anything else would let a client mint buckets at will (or overflow the key).
fn user_subject(user: Uuid, scope: Scope, template: &str, path: &str) -> String {
    match first_path_param(template, path).and_then(|id| Uuid::parse_str(id).ok()) {
        Some(id) if scope == Scope::UserConnection => format!("user:{user}:{id}"),
        _ => format!("user:{user}"),
    }
}

/// The value of the first `{param}` of `template` in `path` (`/a/{id}/b` + `/a/7/b` → 7).
fn first_path_param<'p>(template: &str, path: &'p str) -> Option<&'p str> {
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| t.starts_with('{') && t.ends_with('}'))
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

pub(crate) fn set_headers(response: &mut Response, d: &Decision) {
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

    #[test]
    fn path_params_are_read_from_the_template() {
        assert_eq!(
            first_path_param(
                "/api/v1/providers/{id}/token-refreshes",
                "/api/v1/providers/abc/token-refreshes"
            ),
            Some("abc")
        );
        assert_eq!(
            first_path_param("/api/v1/accounts/syncs", "/api/v1/accounts/syncs"),
            None
        );
    }
}
