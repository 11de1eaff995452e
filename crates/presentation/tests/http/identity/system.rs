//! System routes, the OpenAPI document, unknown routes and methods, and the events use cases publish.

#[allow(unused_imports)]
use super::prelude::*;

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
        Some(crate::support::USER_AGENT)
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
    let registered: BTreeSet<&str> = dashtam_domain::platform::events::REGISTRY
        .iter()
        .map(|m| m.name)
        .collect();
    for e in app.published() {
        assert!(registered.contains(e.name()), "{}", e.name());
        let ctx = e.audit_context().to_string();
        assert!(!ctx.contains(&token), "{} leaks the token", e.name());
    }
}
