//! Password reset: request, confirm, expiry, no account enumeration.

#[allow(unused_imports)]
use super::prelude::*;

// ---- password reset ------------------------------------------------------------------

#[tokio::test]
async fn password_reset_changes_the_password_and_ends_every_session() {
    let app = TestApp::new();
    app.signup("reset@example.com").await;
    let a = app.login("reset@example.com", PASSWORD).await;
    let b = app.login("reset@example.com", PASSWORD).await;

    let r = app
        .post(
            "/api/v1/password-reset-tokens",
            None,
            json!({"email": "RESET@example.com"}),
        )
        .await;
    r.expect(201);
    assert!(r.body["message"].is_string());
    let tokens = app.reset_tokens("reset@example.com");
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    assert_eq!(token.len(), 64);

    // Weak new password: 400 naming new_password; the token survives.
    let r = app
        .post(
            "/api/v1/password-resets",
            None,
            json!({"token": token, "new_password": "weakpassword1"}),
        )
        .await;
    r.problem(400, "command_validation_failed");
    assert!(!r.error_fields().is_empty());
    assert!(
        r.error_fields().iter().all(|f| f == "new_password"),
        "{}",
        r.text
    );
    // Shape errors: 422.
    let r = app
        .post(
            "/api/v1/password-resets",
            None,
            json!({"token": "xyz", "new_password": NEW_PASSWORD}),
        )
        .await;
    r.problem(422, "validation-failed");
    assert_eq!(r.error_fields(), ["token"]);

    let r = app
        .post(
            "/api/v1/password-resets",
            None,
            json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    r.expect(201);
    assert!(r.body["message"].is_string());

    for t in [&a, &b] {
        app.me(&t.access).await.unauthorized();
        app.try_refresh(&t.refresh).await.unauthorized();
    }
    app.try_login("reset@example.com", PASSWORD)
        .await
        .unauthorized();
    app.login("reset@example.com", NEW_PASSWORD).await;
    assert!(app.names().contains(&"PasswordResetConfirmSucceeded"));

    // Single use.
    app.post(
        "/api/v1/password-resets",
        None,
        json!({"token": token, "new_password": "An0ther!Passw0rd"}),
    )
    .await
    .problem(404, "not_found");
    // Unknown token.
    app.post(
        "/api/v1/password-resets",
        None,
        json!({"token": "f".repeat(64), "new_password": NEW_PASSWORD}),
    )
    .await
    .problem(404, "not_found");
}

#[tokio::test]
async fn password_reset_tokens_expire_after_fifteen_minutes() {
    let app = TestApp::new();
    app.signup("slow@example.com").await;
    app.post(
        "/api/v1/password-reset-tokens",
        None,
        json!({"email": "slow@example.com"}),
    )
    .await
    .expect(201);
    let token = app.reset_tokens("slow@example.com").pop().unwrap();
    app.advance(Duration::minutes(15));
    app.post(
        "/api/v1/password-resets",
        None,
        json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await
    .problem(400, "command_validation_failed");
    app.login("slow@example.com", PASSWORD).await;
}

#[tokio::test]
async fn password_reset_requests_never_reveal_accounts_and_are_limited() {
    let app = TestApp::new();
    // Unknown email: 201, and nothing carrying a token is published.
    let before = app.event_count();
    let unknown = app
        .post(
            "/api/v1/password-reset-tokens",
            None,
            json!({"email": "ghost@example.com"}),
        )
        .await;
    unknown.expect(201);
    assert!(app.published().iter().skip(before).all(|e| !matches!(
        e.payload,
        EventPayload::PasswordResetRequestSucceeded { .. }
    )));

    // Unverified: same answer, no token.
    app.register("unverified@example.com", PASSWORD)
        .await
        .expect(201);
    let r = app
        .post(
            "/api/v1/password-reset-tokens",
            None,
            json!({"email": "unverified@example.com"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body, unknown.body);
    assert!(app.reset_tokens("unverified@example.com").is_empty());

    // Verified: three tokens an hour, the fourth request still answers 201 but mails none.
    app.signup("limited@example.com").await;
    for _ in 0..4 {
        let r = app
            .post(
                "/api/v1/password-reset-tokens",
                None,
                json!({"email": "limited@example.com"}),
            )
            .await;
        r.expect(201);
        assert_eq!(r.body, unknown.body);
    }
    assert_eq!(app.reset_tokens("limited@example.com").len(), 3);
    app.advance(Duration::minutes(61));
    app.post(
        "/api/v1/password-reset-tokens",
        None,
        json!({"email": "limited@example.com"}),
    )
    .await
    .expect(201);
    assert_eq!(app.reset_tokens("limited@example.com").len(), 4);

    app.post(
        "/api/v1/password-reset-tokens",
        None,
        json!({"email": "nope"}),
    )
    .await
    .problem(422, "validation-failed");
}
