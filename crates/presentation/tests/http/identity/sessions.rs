//! Sessions: list, get, revoke, logout, eviction; and every kind of bad bearer.

#[allow(unused_imports)]
use super::prelude::*;

// ---- sessions ------------------------------------------------------------------------

#[tokio::test]
async fn sessions_list_newest_first_and_revoked_only_on_request() {
    let app = TestApp::new();
    app.signup("sessions@example.com").await;
    let first = app.login("sessions@example.com", PASSWORD).await;
    app.advance(Duration::seconds(5));
    let second = app.login("sessions@example.com", PASSWORD).await;

    let r = app.get("/api/v1/sessions", Some(&second.access)).await;
    r.expect(200);
    assert_eq!(r.body["total_count"], 2);
    assert_eq!(r.body["active_count"], 2);
    let sessions = r.body["sessions"].as_array().unwrap();
    assert_eq!(sessions[0]["id"], second.session_id());
    assert_eq!(sessions[1]["id"], first.session_id());
    assert_eq!(sessions[0]["is_current"], true);
    assert_eq!(sessions[1]["is_current"], false);
    let s = &sessions[0];
    let keys: BTreeSet<&str> = s.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "device_info",
            "ip_address",
            "location",
            "created_at",
            "last_activity_at",
            "expires_at",
            "is_current",
            "is_revoked",
        ])
    );
    assert_eq!(s["device_info"], "Chrome on macOS");
    assert_eq!(s["ip_address"], CLIENT_IP);
    assert!(s["location"].is_null());
    assert_eq!(s["is_revoked"], false);

    // GET one of them.
    let r = app
        .get(
            &format!("/api/v1/sessions/{}", first.session_id()),
            Some(&second.access),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["id"], first.session_id());
    assert_eq!(r.body["is_current"], false);

    // Revoke the first, twice (idempotent).
    let path = format!("/api/v1/sessions/{}", first.session_id());
    let r = app.delete(&path, Some(&second.access), None).await;
    r.expect(204);
    assert!(r.text.is_empty());
    app.delete(
        &path,
        Some(&second.access),
        Some(json!({"reason": "lost phone"})),
    )
    .await
    .expect(204);
    app.me(&first.access).await.unauthorized();
    app.try_refresh(&first.refresh).await.unauthorized();

    let r = app.get("/api/v1/sessions", Some(&second.access)).await;
    assert_eq!(r.body["total_count"], 1);
    assert_eq!(r.body["active_count"], 1);
    let r = app
        .get("/api/v1/sessions?active_only=false", Some(&second.access))
        .await;
    r.expect(200);
    assert_eq!(r.body["total_count"], 2);
    assert_eq!(r.body["active_count"], 1);
    let revoked = &r.body["sessions"][1];
    assert_eq!(revoked["id"], first.session_id());
    assert_eq!(revoked["is_revoked"], true);

    app.get("/api/v1/sessions?active_only=maybe", Some(&second.access))
        .await
        .problem(422, "validation-failed");
}

#[tokio::test]
async fn another_users_session_is_not_found() {
    let app = TestApp::new();
    app.signup("alice@example.com").await;
    app.signup("bob@example.com").await;
    let alice = app.login("alice@example.com", PASSWORD).await;
    let bob = app.login("bob@example.com", PASSWORD).await;
    let path = format!("/api/v1/sessions/{}", alice.session_id());
    app.get(&path, Some(&bob.access))
        .await
        .problem(404, "not_found");
    app.delete(&path, Some(&bob.access), None)
        .await
        .problem(404, "not_found");
    app.me(&alice.access).await.expect(200);
    // A session id that does not exist at all.
    let path = format!("/api/v1/sessions/{}", Uuid::now_v7());
    app.get(&path, Some(&bob.access))
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn revoking_all_other_sessions_keeps_the_current_one() {
    let app = TestApp::new();
    app.signup("others@example.com").await;
    let old = app.login("others@example.com", PASSWORD).await;
    app.advance(Duration::seconds(1));
    let current = app.login("others@example.com", PASSWORD).await;

    let r = app
        .delete("/api/v1/sessions", Some(&current.access), None)
        .await;
    r.expect(200);
    assert_eq!(r.body["revoked_count"], 1);
    assert!(r.body["message"].is_string());
    app.me(&current.access).await.expect(200);
    app.me(&old.access).await.unauthorized();
    app.try_refresh(&old.refresh).await.unauthorized();
    app.refresh(&current.refresh).await;

    // Nothing left to revoke; a reason is accepted.
    let r = app
        .delete(
            "/api/v1/sessions",
            Some(&current.access),
            Some(json!({"reason": "security review"})),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["revoked_count"], 0);
    app.delete(
        "/api/v1/sessions",
        Some(&current.access),
        Some(json!({"unknown": 1})),
    )
    .await
    .problem(422, "validation-failed");
}

#[tokio::test]
async fn logout_ends_the_session_and_its_tokens() {
    let app = TestApp::new();
    app.signup("logout@example.com").await;
    let t = app.login("logout@example.com", PASSWORD).await;
    let r = app
        .delete(
            "/api/v1/sessions/current",
            Some(&t.access),
            Some(json!({"refresh_token": t.refresh})),
        )
        .await;
    r.expect(204);
    app.me(&t.access).await.unauthorized();
    app.try_refresh(&t.refresh).await.unauthorized();
    app.delete(
        "/api/v1/sessions/current",
        Some(&t.access),
        Some(json!({"refresh_token": t.refresh})),
    )
    .await
    .unauthorized();
    // Without a body: 422, not a silent success.
    let t = app.login("logout@example.com", PASSWORD).await;
    app.delete("/api/v1/sessions/current", Some(&t.access), None)
        .await
        .problem(422, "validation-failed");
    app.me(&t.access).await.expect(200);
}

#[tokio::test]
async fn a_basic_users_third_login_evicts_the_oldest_session() {
    let app = TestApp::new();
    app.signup("tier@example.com").await;
    // The clock stands still: eviction must not depend on distinct timestamps.
    let first = app.login("tier@example.com", PASSWORD).await;
    let second = app.login("tier@example.com", PASSWORD).await;
    let third = app.login("tier@example.com", PASSWORD).await;
    app.me(&first.access).await.unauthorized();
    app.try_refresh(&first.refresh).await.unauthorized();
    app.me(&second.access).await.expect(200);
    app.me(&third.access).await.expect(200);
    assert!(app.published().iter().any(|e| matches!(
        &e.payload,
        EventPayload::SessionEvicted { session_id, .. } if session_id.to_string() == first.session_id()
    )));

    app.advance(Duration::seconds(1));
    let fourth = app.login("tier@example.com", PASSWORD).await;
    app.me(&second.access).await.unauthorized();
    app.me(&third.access).await.expect(200);
    app.me(&fourth.access).await.expect(200);
    let r = app.get("/api/v1/sessions", Some(&fourth.access)).await;
    assert_eq!(r.body["active_count"], 2);
}

// ---- authentication failures ---------------------------------------------------------

#[tokio::test]
async fn a_bad_uuid_in_the_path_is_422() {
    let app = TestApp::new();
    app.signup("uuid@example.com").await;
    let t = app.login("uuid@example.com", PASSWORD).await;
    let r = app
        .get("/api/v1/sessions/not-a-uuid", Some(&t.access))
        .await;
    r.problem(422, "validation-failed");
    assert!(!r.error_fields().is_empty());
    app.delete("/api/v1/sessions/1234", Some(&t.access), None)
        .await
        .problem(422, "validation-failed");
}

#[tokio::test]
async fn missing_garbage_expired_and_forged_bearers_are_401() {
    let app = TestApp::new();
    let user_id = app.signup("bearer@example.com").await;
    let t = app.login("bearer@example.com", PASSWORD).await;
    app.me(&t.access).await.expect(200);

    // Missing.
    app.get("/api/v1/users/me", None).await.unauthorized();
    app.get("/api/v1/sessions", None).await.unauthorized();
    // Garbage, and other schemes.
    app.me("garbage").await.unauthorized();
    app.me("a.b.c").await.unauthorized();
    for value in [
        format!("Basic {}", t.access),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        t.access.clone(),
    ] {
        let mut req = TestApp::request(Method::GET, "/api/v1/users/me", None, None);
        req.headers_mut()
            .insert(header::AUTHORIZATION, value.parse().unwrap());
        app.send(req).await.unauthorized();
    }
    // The scheme is case-insensitive.
    let mut req = TestApp::request(Method::GET, "/api/v1/users/me", None, None);
    req.headers_mut().insert(
        header::AUTHORIZATION,
        format!("bearer {}", t.access).parse().unwrap(),
    );
    app.send(req).await.expect(200);

    // Forged: right claims, other key.
    let forger = JwtAccessTokens::with_fixed_key(OTHER_KEY, 900);
    let session: Uuid = t.session_id().parse().unwrap();
    let forged = forger
        .issue(user_id, "bearer@example.com", vec!["admin".into()], session)
        .await
        .unwrap();
    app.me(&forged).await.unauthorized();
    // Tampered: our header and signature around another payload.
    let parts: Vec<&str> = t.access.split('.').collect();
    let forged_parts: Vec<&str> = forged.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], forged_parts[1], parts[2]);
    app.me(&tampered).await.unauthorized();

    // Expired: 15 minutes later the session lives on but the token does not.
    app.advance(Duration::minutes(16));
    app.me(&t.access).await.unauthorized();
    let fresh = app.refresh(&t.refresh).await;
    app.me(&fresh.access).await.expect(200);
}
