//! Whose bucket: by user, by route template, by IP without a valid token; fail-open,
//! trusted proxies and overridden limits.

#[allow(unused_imports)]
use axum::http::Method;
#[allow(unused_imports)]
use chrono::Duration;
#[allow(unused_imports)]
use dashtam_domain::platform::rate_limit::{Limit, Limits, Policy};
#[allow(unused_imports)]
use serde_json::{Value, json};
use uuid::Uuid;

use super::{assert_limited, limit_headers};
#[allow(unused_imports)]
use crate::support::{Options, PASSWORD, Resp, TestApp};

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
