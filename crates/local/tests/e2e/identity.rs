//! The identity flows over HTTP: register, verify, log in, refresh, log out; password reset
//! and admin rotation; concurrent registrations.

use std::time::{Duration, Instant};

use dashtam_domain::platform::ports::AuditRepository;
use dashtam_infrastructure::dynamodb::DynamoAuditRepository;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn register_verify_login_refresh_logout_against_the_local_stack() {
    let s = start().await;
    let email = "ada@example.com";

    let (status, user) = s
        .post(
            "/api/v1/users",
            json!({"email": "Ada@Example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["email"], email);

    let (status, _) = s
        .post(
            "/api/v1/sessions",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 403, "unverified users cannot log in");

    let token = s.mailed_token(email, 0).await;
    let (status, body) = s
        .post("/api/v1/email-verifications", json!({"token": token}))
        .await;
    assert_eq!(status, 201, "{body}");

    let pair = s.login(email, PASSWORD).await;
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();

    let (status, me) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&access),
            None,
        )
        .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(email)));

    let (status, next) = s
        .post("/api/v1/tokens", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, 201, "{next}");
    let access2 = next["access_token"].as_str().unwrap().to_owned();
    let refresh2 = next["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);

    let (status, _) = s
        .call(
            reqwest::Method::DELETE,
            "/api/v1/sessions/current",
            Some(&access2),
            Some(json!({"refresh_token": refresh2})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&access2),
            None,
        )
        .await;
    assert_eq!(status, 401, "logout revokes the session's access tokens");
    let (status, _) = s
        .post("/api/v1/tokens", json!({"refresh_token": refresh2}))
        .await;
    assert_eq!(status, 401, "logout revokes the session's refresh tokens");

    // The audit consumer has recorded the user's security events, each exactly once.
    let user_id = user["id"].as_str().unwrap().parse().unwrap();
    let audit = DynamoAuditRepository::new(
        aws_sdk_dynamodb::Client::new(&s.stack.sdk),
        s.stack.var("DASHTAM_TABLE").to_owned(),
    );
    let expected = [
        "UserRegistrationSucceeded",
        "EmailVerificationSucceeded",
        "UserLoginSucceeded",
        "AuthTokenRefreshSucceeded",
        "UserLogoutSucceeded",
    ];
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records = audit.list_for_user(user_id, 100).await.unwrap();
        let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
        if expected.iter().all(|e| actions.contains(e)) {
            let mut ids: Vec<_> = records.iter().map(|r| r.event_id).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), records.len(), "one record per event");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "audit trail incomplete: {actions:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn password_reset_and_admin_rotation_against_the_local_stack() {
    let s = start().await;
    for email in ["root@example.com", "bob@example.com"] {
        s.signup(email).await;
    }
    let bob = s.login("bob@example.com", PASSWORD).await;
    let bob_access = bob["access_token"].as_str().unwrap().to_owned();

    // Reset: the mailed token sets a new password and ends every session.
    assert_eq!(
        s.post(
            "/api/v1/password-reset-tokens",
            json!({"email": "bob@example.com"})
        )
        .await
        .0,
        201
    );
    let reset = s.mailed_token("bob@example.com", 1).await;
    let new_password = "N3w!Passw0rdX";
    let (status, body) = s
        .post(
            "/api/v1/password-resets",
            json!({"token": reset, "new_password": new_password}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        s.call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&bob_access),
            None
        )
        .await
        .0,
        401
    );
    assert_eq!(
        s.post(
            "/api/v1/sessions",
            json!({"email": "bob@example.com", "password": PASSWORD})
        )
        .await
        .0,
        401
    );
    let bob = s.login("bob@example.com", new_password).await;
    let bob_refresh = bob["refresh_token"].as_str().unwrap().to_owned();

    // Admin (bootstrapped by configuration) rotates bob's tokens: his refresh token dies.
    let root = s.login("root@example.com", PASSWORD).await;
    let root_access = root["access_token"].as_str().unwrap().to_owned();
    let (_, me) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            bob["access_token"].as_str(),
            None,
        )
        .await;
    let bob_id = me["id"].as_str().unwrap().to_owned();
    let (status, rotation) = s
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/users/{bob_id}/rotations"),
            Some(&root_access),
            Some(json!({"reason": "test"})),
        )
        .await;
    assert_eq!(status, 201, "{rotation}");
    assert_eq!(
        s.post("/api/v1/tokens", json!({"refresh_token": bob_refresh}))
            .await
            .0,
        401
    );
    let fresh = s.login("bob@example.com", new_password).await;
    let (status, _) = s
        .post(
            "/api/v1/tokens",
            json!({"refresh_token": fresh["refresh_token"]}),
        )
        .await;
    assert_eq!(status, 201, "tokens issued after a per-user rotation work");

    let (status, config) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/security/config",
            Some(&root_access),
            None,
        )
        .await;
    assert_eq!(
        (status, config["global_min_token_version"].as_u64()),
        (200, Some(1))
    );
}

#[tokio::test]
async fn concurrent_registrations_over_http_have_one_winner() {
    let s = start().await;
    let attempts = (0..8).map(|_| {
        s.post(
            "/api/v1/users",
            json!({"email": "race@example.com", "password": PASSWORD}),
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
}
