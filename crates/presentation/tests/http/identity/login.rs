//! Login (the contract order of checks, lockout) and email verification.

#[allow(unused_imports)]
use super::prelude::*;

// ---- login ---------------------------------------------------------------------------

#[tokio::test]
async fn login_checks_run_in_the_contract_order() {
    let app = TestApp::new();

    // Unknown email: 401.
    let unknown = app.try_login("nobody@example.com", PASSWORD).await;
    unknown.unauthorized();

    // Unverified: 403, even with a wrong password (checked before the password).
    app.register("unverified@example.com", PASSWORD)
        .await
        .expect(201);
    app.try_login("unverified@example.com", PASSWORD)
        .await
        .problem(403, "forbidden");
    app.try_login("unverified@example.com", "Wr0ng!Password")
        .await
        .problem(403, "forbidden");

    // Verified, wrong password: 401 with the same message as an unknown email.
    app.signup("known@example.com").await;
    let wrong = app.try_login("known@example.com", "Wr0ng!Password").await;
    wrong.unauthorized();
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);

    // The right password works; the response has the contract's shape.
    let r = app.try_login("known@example.com", PASSWORD).await;
    r.expect_token_pair();
    assert!(r.body["refresh_token"].as_str().unwrap().len() >= 43);

    // Malformed login bodies are 422.
    app.post(
        "/api/v1/sessions",
        None,
        json!({"email": "known@example.com"}),
    )
    .await
    .problem(422, "validation-failed");
    app.post(
        "/api/v1/sessions",
        None,
        json!({"email": "bad", "password": PASSWORD}),
    )
    .await
    .problem(422, "validation-failed");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::new();
    app.signup("lock@example.com").await;
    for _ in 0..5 {
        app.try_login("lock@example.com", "Wr0ng!Password")
            .await
            .unauthorized();
    }
    // Locked: 403 even with the right password, and a wrong one is 403 too.
    let r = app.try_login("lock@example.com", PASSWORD).await;
    r.problem(403, "forbidden");
    app.try_login("lock@example.com", "Wr0ng!Password")
        .await
        .problem(403, "forbidden");

    app.advance(Duration::minutes(14));
    app.try_login("lock@example.com", PASSWORD)
        .await
        .problem(403, "forbidden");
    app.advance(Duration::minutes(1));
    app.login("lock@example.com", PASSWORD).await;

    // A success resets the count: four more failures do not lock.
    for _ in 0..4 {
        app.try_login("lock@example.com", "Wr0ng!Password")
            .await
            .unauthorized();
    }
    app.login("lock@example.com", PASSWORD).await;
    for _ in 0..4 {
        app.try_login("lock@example.com", "Wr0ng!Password")
            .await
            .unauthorized();
    }
    app.login("lock@example.com", PASSWORD).await;
}

// ---- email verification --------------------------------------------------------------

#[tokio::test]
async fn email_verification_is_single_use_and_expires() {
    let app = TestApp::new();
    app.register("verify@example.com", PASSWORD)
        .await
        .expect(201);
    let token = app.verification_token("verify@example.com").unwrap();

    let r = app.verify(&token).await;
    r.expect(201);
    assert!(r.body["message"].is_string());
    app.verify(&token).await.problem(404, "not_found");
    app.login("verify@example.com", PASSWORD).await;

    // Malformed tokens: 422.
    for bad in [
        "zz".repeat(32),
        "ab".repeat(31),
        "ab".repeat(33),
        String::new(),
    ] {
        let r = app.verify(&bad).await;
        r.problem(422, "validation-failed");
        assert_eq!(r.error_fields(), ["token"]);
    }
    // Well-formed but unknown: 404.
    app.verify(&"0".repeat(64)).await.problem(404, "not_found");

    // Expired after 24 hours: 400, and the user stays unverified.
    app.register("late@example.com", PASSWORD).await.expect(201);
    let late = app.verification_token("late@example.com").unwrap();
    app.advance(Duration::hours(24));
    app.verify(&late)
        .await
        .problem(400, "command_validation_failed");
    app.try_login("late@example.com", PASSWORD)
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn resend_verification_answers_201_for_everyone_but_mails_only_the_unverified() {
    let app = TestApp::new();
    app.signup("verified@example.com").await;
    app.register("pending@example.com", PASSWORD)
        .await
        .expect(201);
    let before = app.event_count();

    for email in [
        "unknown@example.com",
        "verified@example.com",
        "pending@example.com",
    ] {
        let r = app
            .post(
                "/api/v1/email-verification-tokens",
                None,
                json!({ "email": email }),
            )
            .await;
        r.expect(201);
        assert!(r.body["message"].is_string());
    }
    let sent: Vec<String> = app
        .published()
        .into_iter()
        .skip(before)
        .filter_map(|e| match e.payload {
            EventPayload::EmailVerificationRequestSucceeded { email, .. } => Some(email),
            _ => None,
        })
        .collect();
    assert_eq!(sent, ["pending@example.com"]);

    // The new token verifies.
    let token = app.verification_token("pending@example.com").unwrap();
    app.verify(&token).await.expect(201);

    app.post(
        "/api/v1/email-verification-tokens",
        None,
        json!({"email": "not an email"}),
    )
    .await
    .problem(422, "validation-failed");
}
