//! Registration, and the shape of problems and trace ids.

#[allow(unused_imports)]
use super::prelude::*;

// ---- registration --------------------------------------------------------------------

#[tokio::test]
async fn register_answers_201_with_the_normalised_email() {
    let app = TestApp::new();
    let r = app.register("  Ada.Lovelace@Example.COM ", PASSWORD).await;
    r.expect(201);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let keys = r.keys();
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
