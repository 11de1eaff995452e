//! Shared set-up: a sandbox on a manual clock, a client that follows no redirect, tokens.

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone, Utc};
use dashtam_core::ManualClock;
use dashtam_sandbox::{Profile, Sandbox, SandboxConfig};
use serde_json::Value;

pub const REDIRECT: &str = "https://127.0.0.1:3000/oauth/schwab/callback";

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0)
            .single()
            .expect("a valid time"),
    ))
}

pub async fn sandbox(clock: &Arc<ManualClock>) -> Sandbox {
    Sandbox::spawn(SandboxConfig {
        clock: clock.clone(),
        slow_delay: Duration::from_millis(200),
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox binds")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

pub async fn exchange(sb: &Sandbox, code: &str) -> reqwest::Response {
    client()
        .post(format!("{}/v1/oauth/token", sb.schwab_base()))
        .basic_auth("sandbox-client", Some("sandbox-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("token call")
}

pub async fn refresh(sb: &Sandbox, refresh_token: &str) -> reqwest::Response {
    client()
        .post(format!("{}/v1/oauth/token", sb.schwab_base()))
        .basic_auth("sandbox-client", Some("sandbox-secret"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("token call")
}

/// `(access_token, refresh_token)` for a fresh consent with `profile`.
pub async fn tokens(sb: &Sandbox, profile: Profile) -> (String, String) {
    let code = sb
        .authorize("sandbox-client", REDIRECT, "st", profile)
        .await;
    let r = exchange(sb, &code).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    let s = |k: &str| body[k].as_str().expect("a token").to_owned();
    (s("access_token"), s("refresh_token"))
}

/// GET `{schwab_base}/trader/v1{path}` with the bearer token: (status, headers, body text).
pub async fn trader(
    sb: &Sandbox,
    token: &str,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let r = client()
        .get(format!("{}/trader/v1{path}", sb.schwab_base()))
        .bearer_auth(token)
        .send()
        .await
        .expect("trader call");
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.text().await.expect("body"))
}

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("a JSON body")
}

/// A JSON money number in cents (test-side check only).
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().expect("a number") * 100.0).round() as i64
}
