//! Every declared route has the policy of the contract.

#[allow(unused_imports)]
use axum::http::Method;
#[allow(unused_imports)]
use chrono::Duration;
#[allow(unused_imports)]
use dashtam_domain::platform::rate_limit::{Limit, Limits, Policy};
#[allow(unused_imports)]
use serde_json::{Value, json};
use uuid::Uuid;

use super::limit_headers;
#[allow(unused_imports)]
use crate::support::{Options, PASSWORD, Resp, TestApp};

/// Every route of every group, as the OpenAPI document lists them, with the policy it must
/// have. A new route fails here until it is given its policy in this table.
#[tokio::test]
async fn every_route_has_its_policy() {
    let expected: &[(&str, &str, Policy)] = &[
        ("post", "/api/v1/users", Policy::AuthRegister),
        ("get", "/api/v1/users/me", Policy::ApiRead),
        ("post", "/api/v1/sessions", Policy::AuthLogin),
        ("get", "/api/v1/sessions", Policy::ApiRead),
        ("delete", "/api/v1/sessions", Policy::ApiWrite),
        ("delete", "/api/v1/sessions/current", Policy::ApiWrite),
        ("get", "/api/v1/sessions/{id}", Policy::ApiRead),
        ("delete", "/api/v1/sessions/{id}", Policy::ApiWrite),
        ("post", "/api/v1/tokens", Policy::AuthTokenRefresh),
        (
            "post",
            "/api/v1/email-verifications",
            Policy::AuthPasswordReset,
        ),
        (
            "post",
            "/api/v1/email-verification-tokens",
            Policy::AuthPasswordReset,
        ),
        (
            "post",
            "/api/v1/password-reset-tokens",
            Policy::AuthPasswordReset,
        ),
        ("post", "/api/v1/password-resets", Policy::AuthPasswordReset),
        ("post", "/api/v1/admin/security/rotations", Policy::ApiWrite),
        (
            "post",
            "/api/v1/admin/users/{id}/rotations",
            Policy::ApiWrite,
        ),
        ("get", "/api/v1/admin/security/config", Policy::ApiRead),
        ("get", "/api/v1/events", Policy::ApiRead),
        (
            "post",
            "/api/v1/admin/users/{id}/roles/{role}",
            Policy::ApiWrite,
        ),
        (
            "delete",
            "/api/v1/admin/users/{id}/roles/{role}",
            Policy::ApiWrite,
        ),
        ("get", "/api/v1/admin/audit", Policy::ApiRead),
        ("get", "/api/v1/admin/jobs", Policy::ApiRead),
        ("get", "/health/jobs", Policy::ApiRead),
        ("get", "/", Policy::ApiRead),
        ("get", "/health", Policy::ApiRead),
        ("get", "/openapi.json", Policy::ApiRead),
        ("get", "/docs", Policy::ApiRead),
        ("get", "/api/v1/provider-catalog", Policy::ApiRead),
        ("get", "/api/v1/providers", Policy::ApiRead),
        ("post", "/api/v1/providers", Policy::ProviderConnect),
        ("get", "/api/v1/providers/{id}", Policy::ApiRead),
        ("patch", "/api/v1/providers/{id}", Policy::ApiWrite),
        ("delete", "/api/v1/providers/{id}", Policy::ApiWrite),
        (
            "post",
            "/api/v1/providers/{id}/token-refreshes",
            Policy::ProviderSync,
        ),
        (
            "post",
            "/api/v1/providers/callback",
            Policy::ProviderConnect,
        ),
        (
            "get",
            "/oauth/{provider_slug}/callback",
            Policy::ProviderConnect,
        ),
        ("post", "/api/v1/accounts/syncs", Policy::ProviderSync),
        ("post", "/api/v1/transactions/syncs", Policy::ProviderSync),
        (
            "post",
            "/api/v1/accounts/{id}/holdings/syncs",
            Policy::ProviderSync,
        ),
        ("get", "/api/v1/accounts", Policy::ApiRead),
        ("get", "/api/v1/accounts/{id}", Policy::ApiRead),
        ("get", "/api/v1/providers/{id}/accounts", Policy::ApiRead),
        ("get", "/api/v1/transactions/{id}", Policy::ApiRead),
        ("get", "/api/v1/accounts/{id}/transactions", Policy::ApiRead),
        ("get", "/api/v1/holdings", Policy::ApiRead),
        ("get", "/api/v1/accounts/{id}/holdings", Policy::ApiRead),
        ("get", "/api/v1/balance-snapshots", Policy::ApiRead),
        (
            "get",
            "/api/v1/accounts/{id}/balance-history",
            Policy::ApiRead,
        ),
        (
            "get",
            "/api/v1/accounts/{id}/balance-snapshots",
            Policy::ApiRead,
        ),
        ("get", "/api/v1/portfolio/net-worth", Policy::ApiRead),
        ("get", "/api/v1/portfolio/summary", Policy::ApiRead),
        ("post", "/api/v1/imports", Policy::ApiWrite),
        ("get", "/api/v1/imports/formats", Policy::ApiRead),
        ("get", "/api/v1/imports/{import_id}", Policy::ApiRead),
        ("post", "/api/v1/import-uploads", Policy::ApiWrite),
    ];
    // Distinct, unusual limits per policy, so the header names the policy that applied.
    let mut limits = Limits::default();
    for (i, p) in Policy::ALL.iter().enumerate() {
        limits.set(*p, Limit::new(1000 + i as u32, 60).unwrap());
    }
    let app = TestApp::with(Options {
        rate_limits: Some(limits.clone()),
        ..Options::default()
    });
    let doc = app.get("/openapi.json", None).await.body;
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.push((method.clone(), path.clone()));
            let too_many = &operation["responses"]["429"];
            assert!(
                too_many["headers"]["Retry-After"].is_object(),
                "{method} {path} documents its 429: {too_many}"
            );
        }
    }
    documented.sort();
    let mut listed: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    listed.sort();
    assert_eq!(
        documented, listed,
        "every documented route, and only those, has a policy here"
    );

    for (i, (method, path, policy)) in expected.iter().enumerate() {
        let concrete = path
            .replace("{id}", &Uuid::now_v7().to_string())
            .replace("{role}", "readonly")
            .replace("{provider_slug}", "schwab");
        let r = app
            .call_from(
                &format!("198.18.0.{i}"),
                None,
                method.to_uppercase().parse().unwrap(),
                &concrete,
                None,
                Some(json!({})),
            )
            .await;
        assert_eq!(
            limit_headers(&r).0,
            Some(limits.get(*policy).burst()),
            "{method} {path} should be {policy}: {} {}",
            r.status,
            r.text
        );
    }
    // Unknown routes and wrong methods are not charged.
    let r = app.get("/api/v1/nothing-here", None).await;
    r.problem(404, "not_found");
    assert_eq!(limit_headers(&r), (None, None, None));
    let r = app.call(Method::PUT, "/api/v1/users", None, None).await;
    assert_eq!(r.status.as_u16(), 405);
    assert_eq!(limit_headers(&r), (None, None, None));
}
