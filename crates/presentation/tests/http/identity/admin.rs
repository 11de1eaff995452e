//! The admin security routes: who may call them, global and per-user rotations.

#[allow(unused_imports)]
use super::prelude::*;

// ---- admin ---------------------------------------------------------------------------

#[tokio::test]
async fn admin_routes_need_an_admin() {
    let app = TestApp::new();
    let user_id = app.signup("plain@example.com").await;
    let user = app.login("plain@example.com", PASSWORD).await;
    let reason = json!({"reason": "drill"});
    let rotate_user = format!("/api/v1/admin/users/{user_id}/rotations");

    app.post(
        "/api/v1/admin/security/rotations",
        Some(&user.access),
        reason.clone(),
    )
    .await
    .problem(403, "forbidden");
    app.post(&rotate_user, Some(&user.access), reason.clone())
        .await
        .problem(403, "forbidden");
    app.get("/api/v1/admin/security/config", Some(&user.access))
        .await
        .problem(403, "forbidden");

    app.post("/api/v1/admin/security/rotations", None, reason.clone())
        .await
        .unauthorized();
    app.post(&rotate_user, None, reason.clone())
        .await
        .unauthorized();
    app.get("/api/v1/admin/security/config", None)
        .await
        .unauthorized();

    // Nothing rotated.
    let admin = app.admin().await;
    let r = app
        .get("/api/v1/admin/security/config", Some(&admin.access))
        .await;
    r.expect(200);
    assert_eq!(r.body["global_min_token_version"], 1);
    assert_eq!(r.body["grace_period_seconds"], 300);
    assert!(r.body["last_rotation_at"].is_null());
    assert!(r.body["last_rotation_reason"].is_null());
    app.refresh(&user.refresh).await;
}

#[tokio::test]
async fn global_rotation_kills_old_refresh_tokens_after_the_grace_period() {
    let app = TestApp::new();
    app.signup("victim@example.com").await;
    let early = app.login("victim@example.com", PASSWORD).await;
    let late = app.login("victim@example.com", PASSWORD).await;
    let admin = app.admin().await;

    let r = app
        .rotate_globally(&admin.access, json!({"reason": "  Suspected key leak  "}))
        .await;
    r.expect(201);
    assert_eq!(r.body["previous_version"], 1);
    assert_eq!(r.body["new_version"], 2);
    assert_eq!(r.body["grace_period_seconds"], 300);
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let c = app
        .get("/api/v1/admin/security/config", Some(&admin.access))
        .await;
    c.expect(200);
    assert_eq!(c.body["global_min_token_version"], 2);
    assert_eq!(c.body["grace_period_seconds"], 300);
    assert_eq!(c.body["last_rotation_reason"], "Suspected key leak");
    assert!(c.body["last_rotation_at"].is_string());

    // Within the grace period an old token still refreshes (and its successor is current).
    app.advance(Duration::seconds(300));
    let renewed = app.refresh(&early.refresh).await;
    // After it, the other old token is refused; the renewed one is not.
    app.advance(Duration::seconds(1));
    app.try_refresh(&late.refresh).await.unauthorized();
    assert!(app.names().contains(&"TokenRejectedDueToRotation"));
    let renewed = app.refresh(&renewed.refresh).await;
    app.me(&renewed.access).await.expect(200);
    // New logins get current tokens.
    let fresh = app.login("victim@example.com", PASSWORD).await;
    app.refresh(&fresh.refresh).await;

    // A second rotation: 2 → 3.
    let r = app
        .rotate_globally(&admin.access, json!({"reason": "again"}))
        .await;
    r.expect(201);
    assert_eq!(r.body["previous_version"], 2);
    assert_eq!(r.body["new_version"], 3);
}

#[tokio::test]
async fn per_user_rotation_kills_that_users_tokens_at_once_without_locking_them_out() {
    let app = TestApp::new();
    let victim = app.signup("target@example.com").await;
    app.signup("bystander@example.com").await;
    let t = app.login("target@example.com", PASSWORD).await;
    let other = app.login("bystander@example.com", PASSWORD).await;
    let admin = app.admin().await;

    let r = app
        .post(
            &format!("/api/v1/admin/users/{victim}/rotations"),
            Some(&admin.access),
            json!({"reason": "Compromised laptop"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["user_id"], victim.to_string());
    assert_eq!(r.body["previous_version"], 1);
    assert_eq!(r.body["new_version"], 2);
    assert!(r.body["message"].is_string());

    // No grace: the refresh token and the session are dead now.
    app.try_refresh(&t.refresh).await.unauthorized();
    app.me(&t.access).await.unauthorized();
    // Others are untouched.
    app.refresh(&other.refresh).await;

    // The user can log in again, and the new tokens refresh (no lock-out).
    let again = app.login("target@example.com", PASSWORD).await;
    let next = app.refresh(&again.refresh).await;
    let next = app.refresh(&next.refresh).await;
    app.me(&next.access).await.expect(200);

    // Rotating again after a global rotation: max(global, user) + 1.
    app.rotate_globally(&admin.access, json!({"reason": "global"}))
        .await
        .expect(201);
    let r = app
        .post(
            &format!("/api/v1/admin/users/{victim}/rotations"),
            Some(&admin.access),
            json!({"reason": "again"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["previous_version"], 2);
    assert_eq!(r.body["new_version"], 3);
    let again = app.login("target@example.com", PASSWORD).await;
    app.advance(Duration::seconds(301));
    app.refresh(&again.refresh).await;

    // Global config is not changed by a per-user rotation.
    let c = app
        .get("/api/v1/admin/security/config", Some(&admin.access))
        .await;
    // The admin's token is over 5 minutes old but still within its 15.
    c.expect(200);
    assert_eq!(c.body["global_min_token_version"], 2);
}

#[tokio::test]
async fn rotation_requests_are_validated() {
    let app = TestApp::new();
    let admin = app.admin().await;
    app.post(
        &format!("/api/v1/admin/users/{}/rotations", Uuid::now_v7()),
        Some(&admin.access),
        json!({"reason": "who?"}),
    )
    .await
    .problem(404, "not_found");
    app.post(
        "/api/v1/admin/users/not-a-uuid/rotations",
        Some(&admin.access),
        json!({"reason": "bad id"}),
    )
    .await
    .problem(422, "validation-failed");

    for reason in [json!(""), json!("   "), json!("x".repeat(501)), json!(5)] {
        for path in [
            "/api/v1/admin/security/rotations".to_owned(),
            format!("/api/v1/admin/users/{}/rotations", Uuid::now_v7()),
        ] {
            let r = app
                .post(&path, Some(&admin.access), json!({ "reason": reason }))
                .await;
            r.problem(422, "validation-failed");
            assert_eq!(r.error_fields(), ["reason"], "{}", r.text);
        }
    }
    app.rotate_globally(&admin.access, json!({}))
        .await
        .problem(422, "validation-failed");

    // 500 characters is allowed; nothing above rotated anything.
    let r = app
        .rotate_globally(&admin.access, json!({"reason": "x".repeat(500)}))
        .await;
    r.expect(201);
    assert_eq!(r.body["previous_version"], 1);
}
