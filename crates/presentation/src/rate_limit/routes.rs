//! Which policy guards which route: the contract's table (`API.md`, "Rate limits"), by
//! method and route template. Reads not named below are `API_READ`, writes `API_WRITE`.

use axum::http::Method;
use dashtam_domain::rate_limit::Policy;

/// The policy of `method template`, e.g. `POST /api/v1/sessions` → `AUTH_LOGIN`.
pub fn policy_for(method: &Method, template: &str) -> Policy {
    let read = *method == Method::GET || *method == Method::HEAD;
    if read {
        return match template {
            // The browser's OAuth redirect lands here: a provider connection step.
            t if t.starts_with("/oauth/") && t.ends_with("/callback") => Policy::ProviderConnect,
            _ => Policy::ApiRead,
        };
    }
    match template {
        "/api/v1/sessions" if *method == Method::POST => Policy::AuthLogin,
        "/api/v1/users" if *method == Method::POST => Policy::AuthRegister,
        "/api/v1/email-verifications"
        | "/api/v1/email-verification-tokens"
        | "/api/v1/password-reset-tokens"
        | "/api/v1/password-resets"
            if *method == Method::POST =>
        {
            Policy::AuthPasswordReset
        }
        "/api/v1/tokens" if *method == Method::POST => Policy::AuthTokenRefresh,
        "/api/v1/providers" | "/api/v1/providers/callback" if *method == Method::POST => {
            Policy::ProviderConnect
        }
        // Account, transaction and holdings syncs; provider token refreshes.
        t if *method == Method::POST
            && (t.ends_with("/syncs") || t.ends_with("/token-refreshes")) =>
        {
            Policy::ProviderSync
        }
        _ => Policy::ApiWrite,
    }
}

/// The value of the first `{param}` of `template` in `path` (`/a/{id}/b` + `/a/7/b` → 7).
pub fn first_path_param<'p>(template: &str, path: &'p str) -> Option<&'p str> {
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| t.starts_with('{') && t.ends_with('}'))
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_routes_have_their_policies() {
        let cases = [
            (Method::POST, "/api/v1/sessions", Policy::AuthLogin),
            (Method::GET, "/api/v1/sessions", Policy::ApiRead),
            (Method::DELETE, "/api/v1/sessions", Policy::ApiWrite),
            (Method::POST, "/api/v1/users", Policy::AuthRegister),
            (
                Method::POST,
                "/api/v1/password-resets",
                Policy::AuthPasswordReset,
            ),
            (Method::POST, "/api/v1/tokens", Policy::AuthTokenRefresh),
            (Method::POST, "/api/v1/providers", Policy::ProviderConnect),
            (
                Method::POST,
                "/api/v1/providers/callback",
                Policy::ProviderConnect,
            ),
            (
                Method::GET,
                "/oauth/{provider_slug}/callback",
                Policy::ProviderConnect,
            ),
            (Method::POST, "/api/v1/accounts/syncs", Policy::ProviderSync),
            (
                Method::POST,
                "/api/v1/transactions/syncs",
                Policy::ProviderSync,
            ),
            (
                Method::POST,
                "/api/v1/accounts/{id}/holdings/syncs",
                Policy::ProviderSync,
            ),
            (
                Method::POST,
                "/api/v1/providers/{id}/token-refreshes",
                Policy::ProviderSync,
            ),
            (Method::GET, "/api/v1/providers/{id}", Policy::ApiRead),
            (Method::PATCH, "/api/v1/providers/{id}", Policy::ApiWrite),
            (Method::POST, "/api/v1/imports", Policy::ApiWrite),
            (Method::GET, "/health", Policy::ApiRead),
        ];
        for (method, template, policy) in cases {
            assert_eq!(policy_for(&method, template), policy, "{method} {template}");
        }
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
