//! The identity API over HTTP, in process: every route of API.md's identity groups,
//! through the real router, extractors and problem rendering, over in-memory ports.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use chrono::Duration;
use dashtam_domain::{events::EventPayload, ports::AccessTokenService as _};
use dashtam_infrastructure::security::JwtAccessTokens;
use serde_json::{Value, json};
use support::{BASE_URL, CLIENT_IP, NEW_PASSWORD, OTHER_KEY, PASSWORD, TestApp, jwt_claims};
use uuid::Uuid;

fn raw_post(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder().method(Method::POST).uri(path);
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(body.into()).unwrap()
}

// ---- registration --------------------------------------------------------------------

#[tokio::test]
async fn register_answers_201_with_the_normalised_email() {
    let app = TestApp::new();
    let r = app.register("  Ada.Lovelace@Example.COM ", PASSWORD).await;
    r.expect(201);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let keys: BTreeSet<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, BTreeSet::from(["id", "email", "message"]));
    assert_eq!(r.body["email"], "ada.lovelace@example.com");
    let id: Uuid = r.body["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7);
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));

    // The new user is unverified, role user, tier basic.
    let token = app.verification_token("ada.lovelace@example.com").unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    app.verify(&token).await.expect(201);
    let t = app.login("ADA.lovelace@example.com", PASSWORD).await;
    let me = app.me(&t.access).await;
    me.expect(200);
    assert_eq!(me.body["id"], id.to_string());
    assert_eq!(me.body["email"], "ada.lovelace@example.com");
    assert_eq!(me.body["is_verified"], true);
    assert_eq!(me.body["roles"], json!(["user"]));
    assert_eq!(me.body["session_tier"], "basic");
    assert!(me.body["created_at"].is_string());
}

#[tokio::test]
async fn duplicate_email_in_another_case_is_a_409_conflict() {
    let app = TestApp::new();
    app.register("ada@example.com", PASSWORD).await.expect(201);
    let r = app.register("ADA@Example.com", PASSWORD).await;
    r.problem(409, "conflict");
    assert_eq!(r.body["title"], "Resource Conflict");
    let failed = app
        .published()
        .into_iter()
        .filter(|e| matches!(&e.payload, EventPayload::UserRegistrationFailed { reason, .. } if reason == "email_taken"))
        .count();
    assert_eq!(failed, 1);
}

#[tokio::test]
async fn weak_password_is_a_400_naming_the_password() {
    let app = TestApp::new();
    for weak in [
        "alllowercase1!",
        "ALLUPPERCASE1!",
        "NoDigitsHere!",
        "NoSpecial123",
    ] {
        let r = app.register("ada@example.com", weak).await;
        r.problem(400, "command_validation_failed");
        assert!(
            r.error_fields().iter().all(|f| f == "password"),
            "{}",
            r.text
        );
        assert!(!r.error_fields().is_empty(), "{}", r.text);
    }
    // Too short or too long is shape, not policy.
    for bad in ["Sh0rt!", &format!("Aa1!{}", "x".repeat(130))] {
        let r = app.register("ada@example.com", bad).await;
        r.problem(422, "validation-failed");
        assert_eq!(r.error_fields(), ["password"], "{}", r.text);
    }
    app.register("ada@example.com", PASSWORD).await.expect(201);
}

#[tokio::test]
async fn malformed_registrations_are_422_naming_the_field_and_create_nothing() {
    let app = TestApp::new();
    let email = "grace@example.com";
    // (body, a field the errors must name)
    let cases: Vec<(String, &str)> = vec![
        (
            json!({"email": "not-an-email", "password": PASSWORD}).to_string(),
            "email",
        ),
        (
            json!({"email": "A <grace@example.com>", "password": PASSWORD}).to_string(),
            "email",
        ),
        (json!({"password": PASSWORD}).to_string(), "email"),
        (json!({"email": email}).to_string(), "password"),
        (
            json!({"email": 42, "password": PASSWORD}).to_string(),
            "email",
        ),
        (
            json!({"email": email, "password": ["x"]}).to_string(),
            "password",
        ),
        (
            json!({"email": email, "password": PASSWORD, "is_admin": true}).to_string(),
            "is_admin",
        ),
        (String::new(), "body"),
        ("   ".to_owned(), "body"),
        // Truncated: the error points at where parsing stopped.
        (format!(r#"{{"email": "{email}", "password": "#), "password"),
        ("not json".to_owned(), "body"),
        ("[1, 2]".to_owned(), "body"),
        ("null".to_owned(), "body"),
        ("\"grace@example.com\"".to_owned(), "body"),
        // serde would take a struct as an array of its fields; the API does not.
        (json!([email, PASSWORD]).to_string(), "body"),
    ];
    for (body, field) in cases {
        let r = app
            .send(raw_post(
                "/api/v1/users",
                Some("application/json"),
                body.clone(),
            ))
            .await;
        r.problem(422, "validation-failed");
        let errors = r.body["errors"].as_array().unwrap();
        let named = errors.iter().any(|e| {
            e["field"] == field || e["message"].as_str().is_some_and(|m| m.contains(field))
        });
        assert!(named, "{body:?}: errors do not name {field}: {}", r.text);
        for e in errors {
            assert!(e["code"].is_string() && e["message"].is_string(), "{e}");
        }
    }

    let valid = json!({"email": email, "password": PASSWORD}).to_string();
    let r = app
        .send(raw_post("/api/v1/users", Some("text/plain"), valid.clone()))
        .await;
    r.problem(415, "unsupported-media-type");

    let big = json!({"email": email, "password": PASSWORD, "pad": "x".repeat(70 * 1024)});
    let r = app
        .send(raw_post(
            "/api/v1/users",
            Some("application/json"),
            big.to_string(),
        ))
        .await;
    r.problem(413, "payload-too-large");

    // Nothing was created by any of them: no user event succeeded, and the email is free.
    assert!(
        !app.names().contains(&"UserRegistrationSucceeded"),
        "{:?}",
        app.names()
    );
    app.register(email, PASSWORD).await.expect(201);
}

#[tokio::test]
async fn a_body_without_content_type_is_read_as_json() {
    let app = TestApp::new();
    let body = json!({"email": "nocontent@example.com", "password": PASSWORD}).to_string();
    let r = app.send(raw_post("/api/v1/users", None, body)).await;
    r.expect(201);
    assert_eq!(r.body["email"], "nocontent@example.com");

    let r = app
        .send(raw_post(
            "/api/v1/users",
            Some("application/json; charset=utf-8"),
            json!({"email": "charset@example.com", "password": PASSWORD}).to_string(),
        ))
        .await;
    r.expect(201);
    // Missing body without content type is still "body missing", not a silent empty.
    let r = app.send(raw_post("/api/v1/users", None, "")).await;
    r.problem(422, "validation-failed");
}

// ---- problems and trace ids ----------------------------------------------------------

#[tokio::test]
async fn problems_have_the_full_shape_and_trace_ids_are_echoed_or_generated() {
    let app = TestApp::new();

    // Error, with a client trace id: echoed in the header and the body.
    let mut req = TestApp::request(Method::GET, "/api/v1/users/me", None, None);
    req.headers_mut()
        .insert("x-trace-id", "client-trace-42".parse().unwrap());
    let r = app.send(req).await;
    r.unauthorized();
    assert_eq!(r.header("x-trace-id"), Some("client-trace-42"));
    assert_eq!(r.body["trace_id"], "client-trace-42");
    assert_eq!(r.body["type"], format!("{BASE_URL}/errors/unauthorized"));
    assert_eq!(r.body["title"], "Authentication Required");
    assert_eq!(r.body["status"], 401);
    assert_eq!(r.body["instance"], "/api/v1/users/me");
    assert!(r.body.get("errors").is_none(), "empty errors are left out");

    // Error, without one: a UUIDv7.
    let r = app.get("/api/v1/users/me", None).await;
    r.unauthorized();
    let generated: Uuid = r.header("x-trace-id").unwrap().parse().unwrap();
    assert_eq!(generated.get_version_num(), 7);
    assert_eq!(r.body["trace_id"], generated.to_string());

    // Success, with and without.
    let mut req = TestApp::request(Method::GET, "/health", None, None);
    req.headers_mut()
        .insert("x-trace-id", "abc-123".parse().unwrap());
    let r = app.send(req).await;
    r.expect(200);
    assert_eq!(r.header("x-trace-id"), Some("abc-123"));
    let r = app.get("/health", None).await;
    let generated: Uuid = r.header("x-trace-id").unwrap().parse().unwrap();
    assert_eq!(generated.get_version_num(), 7);

    // A client id that is not a sane token is replaced, not echoed.
    for bad in ["has spaces in it", &"x".repeat(129), "semi;colon"] {
        let mut req = TestApp::request(Method::GET, "/health", None, None);
        req.headers_mut().insert("x-trace-id", bad.parse().unwrap());
        let r = app.send(req).await;
        let replaced: Uuid = r.header("x-trace-id").unwrap().parse().unwrap();
        assert_eq!(replaced.get_version_num(), 7, "{bad:?}");
    }

    // Two requests, two ids.
    let a = app.get("/", None).await;
    let b = app.get("/", None).await;
    assert_ne!(a.header("x-trace-id"), b.header("x-trace-id"));

    // The trace id reaches the events of the request.
    let mut req = TestApp::request(
        Method::POST,
        "/api/v1/users",
        None,
        Some(&json!({"email": "traced@example.com", "password": PASSWORD})),
    );
    req.headers_mut()
        .insert("x-trace-id", "register-trace".parse().unwrap());
    app.send(req).await.expect(201);
    let events = app.published();
    assert!(
        events
            .iter()
            .all(|e| e.context.trace_id.as_deref() == Some("register-trace"))
    );
    assert!(
        events
            .iter()
            .all(|e| e.context.ip_address.as_deref() == Some(CLIENT_IP))
    );
}

#[tokio::test]
async fn validation_problem_lists_errors_with_field_code_and_message() {
    let app = TestApp::new();
    let r = app
        .post(
            "/api/v1/users",
            None,
            json!({"email": "nope", "password": "x"}),
        )
        .await;
    r.problem(422, "validation-failed");
    assert_eq!(r.body["title"], "Validation Failed");
    let fields: BTreeSet<String> = r.error_fields().into_iter().collect();
    assert_eq!(
        fields,
        BTreeSet::from(["email".to_owned(), "password".to_owned()])
    );
}

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
    r.expect(201);
    let keys: BTreeSet<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["access_token", "refresh_token", "token_type", "expires_in"])
    );
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["expires_in"], 900);
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
    r.expect(201);
    let keys: BTreeSet<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["access_token", "refresh_token", "token_type", "expires_in"])
    );
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["expires_in"], 900);
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
        .post(
            "/api/v1/admin/security/rotations",
            Some(&admin.access),
            json!({"reason": "  Suspected key leak  "}),
        )
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
        .post(
            "/api/v1/admin/security/rotations",
            Some(&admin.access),
            json!({"reason": "again"}),
        )
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
    app.post(
        "/api/v1/admin/security/rotations",
        Some(&admin.access),
        json!({"reason": "global"}),
    )
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
    app.post(
        "/api/v1/admin/security/rotations",
        Some(&admin.access),
        json!({}),
    )
    .await
    .problem(422, "validation-failed");

    // 500 characters is allowed; nothing above rotated anything.
    let r = app
        .post(
            "/api/v1/admin/security/rotations",
            Some(&admin.access),
            json!({"reason": "x".repeat(500)}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["previous_version"], 1);
}

// ---- system --------------------------------------------------------------------------

#[tokio::test]
async fn root_and_health_answer_their_shapes() {
    let app = TestApp::new();
    let r = app.get("/", None).await;
    r.expect(200);
    assert_eq!(r.body["message"], "Dashtam API");
    assert_eq!(r.body["status"], "operational");
    assert_eq!(r.body["version"], "0.0.0-test");
    let r = app.get("/health", None).await;
    r.expect(200);
    assert_eq!(r.body, json!({"status": "healthy"}));
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let app = TestApp::new();
    let r = app.get("/openapi.json", None).await;
    r.expect(200);
    assert!(
        r.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with('3'))
    );
    let paths = r.body["paths"].as_object().expect("paths");
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/users", &["post"]),
        ("/api/v1/users/me", &["get"]),
        ("/api/v1/sessions", &["get", "post", "delete"]),
        ("/api/v1/sessions/current", &["delete"]),
        ("/api/v1/sessions/{id}", &["get", "delete"]),
        ("/api/v1/tokens", &["post"]),
        ("/api/v1/email-verifications", &["post"]),
        ("/api/v1/email-verification-tokens", &["post"]),
        ("/api/v1/password-reset-tokens", &["post"]),
        ("/api/v1/password-resets", &["post"]),
        ("/api/v1/admin/security/rotations", &["post"]),
        ("/api/v1/admin/users/{id}/rotations", &["post"]),
        ("/api/v1/admin/security/config", &["get"]),
        ("/", &["get"]),
        ("/health", &["get"]),
        ("/openapi.json", &["get"]),
    ];
    for (path, methods) in expected {
        let item = paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} missing from the OpenAPI document"));
        for m in *methods {
            assert!(item.get(*m).is_some(), "{m} {path} missing");
        }
    }
    // And every documented route is served (not a 404 fallback).
    for (path, methods) in expected {
        let concrete = path.replace("{id}", &Uuid::now_v7().to_string());
        for m in *methods {
            let method: Method = m.to_uppercase().parse().unwrap();
            let r = app.call(method, &concrete, None, None).await;
            assert!(
                r.status.as_u16() != 404 || r.body["detail"] != "No route matches this path",
                "{m} {path} is documented but not routed"
            );
            assert_ne!(r.status.as_u16(), 405, "{m} {path}");
        }
    }
    assert!(
        r.body["components"]["securitySchemes"]["bearer"].is_object(),
        "bearer scheme"
    );
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_problems() {
    let app = TestApp::new();
    app.get("/api/v1/nothing-here", None)
        .await
        .problem(404, "not_found");
    app.get("/api/v2/users", None)
        .await
        .problem(404, "not_found");
    app.call(Method::PUT, "/api/v1/users", None, None)
        .await
        .problem(405, "method-not-allowed");
    app.call(Method::DELETE, "/health", None, None)
        .await
        .problem(405, "method-not-allowed");
    app.call(Method::GET, "/api/v1/tokens", None, None)
        .await
        .problem(405, "method-not-allowed");
}

#[tokio::test]
async fn interactive_docs_point_at_the_openapi_document() {
    let app = TestApp::new();
    let r = app.get("/docs", None).await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text.contains("SwaggerUIBundle") && r.text.contains("openapi.json"));
}

// ---- events --------------------------------------------------------------------------

#[tokio::test]
async fn use_cases_publish_their_events() {
    let app = TestApp::new();
    app.register("events@example.com", PASSWORD)
        .await
        .expect(201);
    assert_eq!(
        app.names(),
        ["UserRegistrationAttempted", "UserRegistrationSucceeded"]
    );
    let succeeded = &app.published()[1];
    assert!(succeeded.user_id.is_some());
    assert_eq!(succeeded.context.ip_address.as_deref(), Some(CLIENT_IP));
    assert_eq!(
        succeeded.context.user_agent.as_deref(),
        Some(support::USER_AGENT)
    );

    let token = app.verification_token("events@example.com").unwrap();
    let n = app.event_count();
    app.verify(&token).await.expect(201);
    assert_eq!(
        app.names_since(n),
        ["EmailVerificationAttempted", "EmailVerificationSucceeded"]
    );

    let n = app.event_count();
    app.try_login("events@example.com", "Wr0ng!Password")
        .await
        .unauthorized();
    assert_eq!(
        app.names_since(n),
        ["UserLoginAttempted", "UserLoginFailed"]
    );
    let n = app.event_count();
    app.try_login("ghost@example.com", PASSWORD)
        .await
        .unauthorized();
    assert_eq!(
        app.names_since(n),
        ["UserLoginAttempted", "UserLoginFailed"]
    );
    assert!(app.published().last().unwrap().user_id.is_none());

    let n = app.event_count();
    let t = app.login("events@example.com", PASSWORD).await;
    assert_eq!(
        app.names_since(n),
        ["UserLoginAttempted", "SessionCreated", "UserLoginSucceeded"]
    );
    let n = app.event_count();
    app.refresh(&t.refresh).await;
    assert_eq!(
        app.names_since(n),
        ["AuthTokenRefreshAttempted", "AuthTokenRefreshSucceeded"]
    );

    // Everything published is registered, and nothing leaks a token outside `*_token`.
    let registered: BTreeSet<&str> = dashtam_domain::events::REGISTRY
        .iter()
        .map(|m| m.name)
        .collect();
    for e in app.published() {
        assert!(registered.contains(e.name()), "{}", e.name());
        let ctx = e.audit_context().to_string();
        assert!(!ctx.contains(&token), "{} leaks the token", e.name());
    }
}
