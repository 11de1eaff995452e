//! Rate limiting over HTTP, in process: the contract's policies on every route, keyed by
//! route template and by IP or user, the headers and the 429 problem, fail-open, and the
//! client-IP rule. Buckets live in the in-memory store; time moves on a manual clock.

use axum::http::Method;
use chrono::Duration;
use dashtam_domain::rate_limit::{Limit, Limits, Policy};
use serde_json::{Value, json};
use crate::support::{Options, PASSWORD, Resp, TestApp};
use uuid::Uuid;

impl TestApp {
    /// A request from `ip` (the platform's source IP), optionally with `X-Forwarded-For`.
    async fn call_from(
        &self,
        ip: &str,
        xff: Option<&str>,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = Self::request(method, uri, token, body.as_ref());
        req.extensions_mut()
            .insert(dashtam_presentation::extract::ClientIp(ip.to_owned()));
        if let Some(xff) = xff {
            req.headers_mut()
                .insert("x-forwarded-for", xff.parse().unwrap());
        }
        self.send(req).await
    }

    async fn login_from(&self, ip: &str, email: &str) -> Resp {
        self.call_from(
            ip,
            None,
            Method::POST,
            "/api/v1/sessions",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await
    }
}

/// The three headers of an allowed (or refused) request.
fn limit_headers(r: &Resp) -> (Option<u32>, Option<u32>, Option<u64>) {
    let num = |n: &str| r.header(n).map(|v| v.parse::<u64>().unwrap());
    (
        num("x-ratelimit-limit").map(|v| v as u32),
        num("x-ratelimit-remaining").map(|v| v as u32),
        num("x-ratelimit-reset"),
    )
}

#[track_caller]
fn assert_limited(r: &Resp, retry_after: u64) {
    r.problem(429, "rate_limit_exceeded");
    assert_eq!(r.body["title"], "Rate Limit Exceeded");
    assert_eq!(r.body["retry_after"], retry_after, "{}", r.text);
    assert_eq!(
        r.header("retry-after"),
        Some(retry_after.to_string().as_str())
    );
    assert_eq!(
        r.body["detail"],
        format!("Too many requests. Please try again in {retry_after} seconds.")
    );
}

#[tokio::test]
async fn login_allows_five_per_ip_then_429_until_a_token_comes_back() {
    let app = TestApp::rate_limited();
    for remaining in (0..5).rev() {
        let r = app.login_from("192.0.2.1", "nobody@example.com").await;
        r.unauthorized();
        let (limit, rem, reset) = limit_headers(&r);
        assert_eq!((limit, rem), (Some(5), Some(remaining)));
        // Seconds until full again: 12 s per token used, a delta (not an epoch).
        assert_eq!(reset, Some(12 * (5 - u64::from(remaining))));
    }
    let r = app.login_from("192.0.2.1", "nobody@example.com").await;
    assert_limited(&r, 12);
    assert_eq!(limit_headers(&r), (Some(5), Some(0), Some(60)));

    // Another IP has its own bucket.
    app.login_from("192.0.2.2", "nobody@example.com")
        .await
        .unauthorized();
    // Retry-After is honest: one second short is still refused, then one gets through.
    app.advance(Duration::seconds(11));
    assert_limited(&app.login_from("192.0.2.1", "x@example.com").await, 1);
    app.advance(Duration::seconds(1));
    app.login_from("192.0.2.1", "x@example.com")
        .await
        .unauthorized();
    assert_limited(&app.login_from("192.0.2.1", "x@example.com").await, 12);
}

#[tokio::test]
async fn registration_allows_three_per_ip() {
    let app = TestApp::rate_limited();
    for i in 0..3 {
        let r = app
            .call_from(
                "192.0.2.9",
                None,
                Method::POST,
                "/api/v1/users",
                None,
                Some(json!({"email": format!("u{i}@example.com"), "password": PASSWORD})),
            )
            .await;
        r.expect(201);
        assert_eq!(limit_headers(&r).0, Some(3));
    }
    let r = app
        .call_from(
            "192.0.2.9",
            None,
            Method::POST,
            "/api/v1/users",
            None,
            Some(json!({"email": "u4@example.com", "password": PASSWORD})),
        )
        .await;
    assert_limited(&r, 20);
    assert!(app.store_has_no_user("u4@example.com").await);
}

impl TestApp {
    async fn store_has_no_user(&self, email: &str) -> bool {
        use dashtam_domain::{ports::UserRepository as _, value_objects::Email};
        self.store
            .find_by_email(&Email::parse(email).unwrap())
            .await
            .unwrap()
            .is_none()
    }
}

#[tokio::test]
async fn verification_and_reset_routes_allow_three_then_one_a_minute_each() {
    let app = TestApp::rate_limited();
    let routes = [
        (
            "/api/v1/email-verifications",
            json!({"token": "ab".repeat(32)}),
        ),
        (
            "/api/v1/email-verification-tokens",
            json!({"email": "a@example.com"}),
        ),
        (
            "/api/v1/password-reset-tokens",
            json!({"email": "a@example.com"}),
        ),
        (
            "/api/v1/password-resets",
            json!({"token": "ab".repeat(32), "new_password": PASSWORD}),
        ),
    ];
    for (path, body) in &routes {
        for _ in 0..3 {
            let r = app
                .call_from(
                    "192.0.2.5",
                    None,
                    Method::POST,
                    path,
                    None,
                    Some(body.clone()),
                )
                .await;
            assert_ne!(r.status.as_u16(), 429, "{path}");
            assert_eq!(limit_headers(&r).0, Some(3), "{path}");
        }
        let r = app
            .call_from(
                "192.0.2.5",
                None,
                Method::POST,
                path,
                None,
                Some(body.clone()),
            )
            .await;
        assert_limited(&r, 60);
    }
}

/// Two verified users with a session each, both from the default client IP.
async fn two_users(app: &TestApp) -> (String, String) {
    app.signup("ada@example.com").await;
    app.signup("bob@example.com").await;
    (
        app.login("ada@example.com", PASSWORD).await.access,
        app.login("bob@example.com", PASSWORD).await.access,
    )
}

#[tokio::test]
async fn reads_are_keyed_by_user_and_by_route_template_path_parameters_included() {
    let app = TestApp::rate_limited();
    let (ada, bob) = two_users(&app).await;
    // A fresh id each time: one route template, so one bucket.
    for i in 0..100 {
        let r = app
            .get(&format!("/api/v1/sessions/{}", Uuid::now_v7()), Some(&ada))
            .await;
        r.expect(404);
        assert_eq!(limit_headers(&r).1, Some(99 - i));
    }
    let r = app
        .get(&format!("/api/v1/sessions/{}", Uuid::now_v7()), Some(&ada))
        .await;
    assert_limited(&r, 1);
    // Same IP, other user: untouched; same user, other route: untouched.
    let r = app
        .get(&format!("/api/v1/sessions/{}", Uuid::now_v7()), Some(&bob))
        .await;
    r.expect(404);
    assert_eq!(limit_headers(&r), (Some(100), Some(99), Some(1)));
    app.get("/api/v1/sessions", Some(&ada)).await.expect(200);
    // DELETE on the same template is a write: its own policy and bucket.
    let r = app
        .delete(
            &format!("/api/v1/sessions/{}", Uuid::now_v7()),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(limit_headers(&r).0, Some(50), "{}", r.text);
}

#[tokio::test]
async fn without_a_valid_token_user_policies_fall_back_to_the_ip() {
    let app = TestApp::rate_limited();
    for _ in 0..100 {
        app.call_from(
            "192.0.2.77",
            None,
            Method::GET,
            "/api/v1/users/me",
            Some("forged"),
            None,
        )
        .await
        .unauthorized();
    }
    let r = app
        .call_from(
            "192.0.2.77",
            None,
            Method::GET,
            "/api/v1/users/me",
            None,
            None,
        )
        .await;
    assert_limited(&r, 1);
    // A signed-in user from that same IP has a bucket of their own.
    app.signup("ada@example.com").await;
    let ada = app.login("ada@example.com", PASSWORD).await.access;
    app.call_from(
        "192.0.2.77",
        None,
        Method::GET,
        "/api/v1/users/me",
        Some(&ada),
        None,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn refresh_is_keyed_by_the_user_when_the_bearer_verifies() {
    let app = TestApp::rate_limited();
    app.signup("ada@example.com").await;
    let ada = app.login("ada@example.com", PASSWORD).await;
    let refresh = |token: Option<String>, ip: &'static str| {
        let app = &app;
        async move {
            app.call_from(
                ip,
                None,
                Method::POST,
                "/api/v1/tokens",
                token.as_deref(),
                Some(json!({"refresh_token": "nope"})),
            )
            .await
        }
    };
    // Ten by user from changing IPs, then the user's bucket is empty.
    for ip in [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
    ] {
        refresh(Some(ada.access.clone()), ip).await.unauthorized();
        refresh(Some(ada.access.clone()), ip).await.unauthorized();
    }
    assert_limited(&refresh(Some(ada.access.clone()), "192.0.2.6").await, 6);
    // Without a bearer the IP is the key: 192.0.2.6 still has all ten.
    let r = refresh(None, "192.0.2.6").await;
    r.unauthorized();
    assert_eq!(limit_headers(&r), (Some(10), Some(9), Some(6)));
}

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
            .replace("{role}", "readonly");
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

#[tokio::test]
async fn a_failing_store_lets_requests_through() {
    let app = TestApp::rate_limited();
    let register = |n: u32| {
        let app = &app;
        async move { app.register(&format!("u{n}@example.com"), PASSWORD).await }
    };
    for n in 0..3 {
        register(n).await.expect(201);
    }
    assert_limited(&register(3).await, 20);
    app.rate_limits.set_unavailable(true);
    let r = register(4).await;
    r.expect(201);
    assert_eq!(
        limit_headers(&r),
        (None, None, None),
        "no bucket, no headers"
    );
    app.rate_limits.set_unavailable(false);
    assert_limited(&register(5).await, 20);
}

async fn register_behind_proxy(app: &TestApp, n: u32) -> Resp {
    let body = json!({"email": format!("u{n}@example.com"), "password": PASSWORD});
    let xff = format!("198.51.100.{n}");
    app.call_from(
        "10.0.0.1",
        Some(&xff),
        Method::POST,
        "/api/v1/users",
        None,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn forwarded_for_counts_only_with_trusted_hops() {
    // Default: the header is the client's say-so and is ignored — one proxy IP, one bucket.
    let app = TestApp::rate_limited();
    for n in 0..3 {
        register_behind_proxy(&app, n).await.expect(201);
    }
    assert_limited(&register_behind_proxy(&app, 3).await, 20);

    // One trusted proxy: the address it appended is the client, for limits and sessions.
    let app = TestApp::with(Options {
        rate_limits: Some(Limits::default()),
        trusted_proxy_hops: 1,
        ..Options::default()
    });
    for n in 0..6 {
        register_behind_proxy(&app, n).await.expect(201);
    }
    let ips: Vec<Option<String>> = app
        .published()
        .iter()
        .filter(|e| e.name() == "UserRegistrationSucceeded")
        .map(|e| e.context.ip_address.clone())
        .collect();
    assert_eq!(ips[0].as_deref(), Some("198.51.100.0"));
    assert_eq!(ips[5].as_deref(), Some("198.51.100.5"));
}

#[tokio::test]
async fn overridden_limits_apply_and_off_means_no_headers() {
    let mut limits = Limits::default();
    limits.set(Policy::AuthLogin, Limit::new(1, 2).unwrap());
    let app = TestApp::with(Options {
        rate_limits: Some(limits),
        ..Options::default()
    });
    app.try_login("a@example.com", PASSWORD)
        .await
        .unauthorized();
    assert_limited(&app.try_login("a@example.com", PASSWORD).await, 30);

    let app = TestApp::new();
    let r = app.get("/health", None).await;
    r.expect(200);
    assert_eq!(limit_headers(&r), (None, None, None));
}
