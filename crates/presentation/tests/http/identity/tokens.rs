//! Access-token claims, refresh rotation, reuse detection and expiry.

#[allow(unused_imports)]
use super::prelude::*;

// ---- tokens --------------------------------------------------------------------------

#[tokio::test]
async fn access_token_carries_the_contract_claims() {
    let app = TestApp::new();
    let id = app.signup("claims@example.com").await;
    let t = app.login("claims@example.com", PASSWORD).await;
    let c = jwt_claims(&t.access);
    for k in [
        "sub",
        "email",
        "roles",
        "session_id",
        "jti",
        "iat",
        "exp",
        "iss",
        "aud",
    ] {
        assert!(c.get(k).is_some(), "claim {k} missing: {c}");
    }
    assert_eq!(c["sub"], id.to_string());
    assert_eq!(c["email"], "claims@example.com");
    assert_eq!(c["roles"], json!(["user"]));
    assert_eq!(c["iss"], "dashtam");
    assert_eq!(c["aud"], "dashtam-api");
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    assert_eq!(c["iat"].as_i64().unwrap(), app.now().timestamp());
    let session: Uuid = c["session_id"].as_str().unwrap().parse().unwrap();
    let jti: Uuid = c["jti"].as_str().unwrap().parse().unwrap();
    assert_ne!(session, jti);
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            t.access.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");

    // A refreshed token is a different token for the same session.
    let t2 = app.refresh(&t.refresh).await;
    let c2 = jwt_claims(&t2.access);
    assert_eq!(c2["session_id"], c["session_id"]);
    assert_ne!(c2["jti"], c["jti"]);
}

#[tokio::test]
async fn admins_from_settings_carry_the_admin_role() {
    let app = TestApp::new();
    let t = app.admin().await;
    let roles: BTreeSet<String> = jwt_claims(&t.access)["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert!(roles.contains("admin"), "{roles:?}");
    let me = app.me(&t.access).await;
    me.expect(200);
    assert!(
        me.body["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("admin"))
    );
    // Case does not matter for the bootstrap list (emails are normalised).
    let app = TestApp::with_admins(&["boss@example.com"]);
    app.signup("Boss@Example.com").await;
    let t = app.login("boss@example.com", PASSWORD).await;
    assert!(
        jwt_claims(&t.access)["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("admin"))
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let app = TestApp::new();
    app.signup("refresh@example.com").await;
    let t1 = app.login("refresh@example.com", PASSWORD).await;

    let r = app.try_refresh(&t1.refresh).await;
    r.expect_token_pair();
    let t2_refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
    let t2_access = r.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(t2_refresh, t1.refresh);
    app.me(&t2_access).await.expect(200);
    app.me(&t1.access).await.expect(200);

    // The old one is dead; presenting it again revokes the session: every token of it dies.
    app.try_refresh(&t1.refresh).await.unauthorized();
    app.me(&t1.access).await.unauthorized();
    app.me(&t2_access).await.unauthorized();
    app.try_refresh(&t2_refresh).await.unauthorized();
    assert!(app.names().contains(&"RefreshTokenReuseDetected"));

    // Garbage and malformed refresh bodies.
    app.try_refresh("definitely-not-a-token")
        .await
        .unauthorized();
    app.post("/api/v1/tokens", None, json!({}))
        .await
        .problem(422, "validation-failed");
    app.post("/api/v1/tokens", None, json!({"refresh_token": ""}))
        .await
        .problem(422, "validation-failed");
}

#[tokio::test]
async fn refresh_tokens_expire_after_thirty_days() {
    let app = TestApp::new();
    app.signup("old@example.com").await;
    let t = app.login("old@example.com", PASSWORD).await;
    app.advance(Duration::days(30));
    app.try_refresh(&t.refresh).await.unauthorized();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_of_one_token_have_exactly_one_winner() {
    let app = std::sync::Arc::new(TestApp::new());
    app.signup("race@example.com").await;
    let t = app.login("race@example.com", PASSWORD).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = app.clone();
        let token = t.refresh.clone();
        tasks.push(tokio::spawn(async move {
            app.try_refresh(&token).await.status.as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 401),
        "{statuses:?}"
    );
}
