//! Rate limiting over HTTP, in process: the contract's policies on every route, keyed by
//! route template and by IP or user, the headers and the 429 problem, fail-open, and the
//! client-IP rule. Buckets live in the in-memory store; time moves on a manual clock.

mod every_route;
mod keys;

use crate::support::{PASSWORD, Resp, TestApp};
use axum::http::Method;
use chrono::Duration;
use serde_json::{Value, json};

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
pub(super) fn limit_headers(r: &Resp) -> (Option<u32>, Option<u32>, Option<u64>) {
    let num = |n: &str| r.header(n).map(|v| v.parse::<u64>().unwrap());
    (
        num("x-ratelimit-limit").map(|v| v as u32),
        num("x-ratelimit-remaining").map(|v| v as u32),
        num("x-ratelimit-reset"),
    )
}

#[track_caller]
pub(super) fn assert_limited(r: &Resp, retry_after: u64) {
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
    let register = |i| {
        let body = json!({"email": format!("u{i}@example.com"), "password": PASSWORD});
        app.call_from(
            "192.0.2.9",
            None,
            Method::POST,
            "/api/v1/users",
            None,
            Some(body),
        )
    };
    for i in 0..3 {
        let r = register(i).await;
        r.expect(201);
        assert_eq!(limit_headers(&r).0, Some(3));
    }
    let r = register(4).await;
    assert_limited(&r, 20);
    assert!(app.store_has_no_user("u4@example.com").await);
}

impl TestApp {
    async fn store_has_no_user(&self, email: &str) -> bool {
        use dashtam_domain::identity::{ports::UserRepository as _, value_objects::Email};
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
        let post = || {
            app.call_from(
                "192.0.2.5",
                None,
                Method::POST,
                path,
                None,
                Some(body.clone()),
            )
        };
        for _ in 0..3 {
            let r = post().await;
            assert_ne!(r.status.as_u16(), 429, "{path}");
            assert_eq!(limit_headers(&r).0, Some(3), "{path}");
        }
        assert_limited(&post().await, 60);
    }
}
