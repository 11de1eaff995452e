//! Roles on every route: the route table against the OpenAPI document, the guard on every
//! route, readonly versus user versus admin, and the role-management routes.

use std::collections::BTreeSet;

use crate::support::{ADMIN_EMAIL, PASSWORD, TestApp};
use axum::http::Method;
use dashtam_domain::identity::entities::Role;
use dashtam_presentation::{Access, ApiDoc, Group};
use serde_json::json;
use utoipa::OpenApi;
use uuid::Uuid;

/// Every (method, path) the routers serve, with its declared access.
fn table() -> Vec<(Method, String, Access)> {
    Group::ALL
        .iter()
        .flat_map(|g| g.routes())
        .map(|r| (r.method.clone(), r.path.to_owned(), r.access))
        .collect()
}

/// A concrete URI for a path template.
fn concrete(path: &str) -> String {
    path.replace("{id}", &Uuid::now_v7().to_string())
        .replace("{role}", "readonly")
        .replace("{provider_slug}", "schwab")
}

#[test]
fn every_route_is_declared_once_and_documented() {
    let routes = table();
    let served: BTreeSet<(String, String)> = routes
        .iter()
        .map(|(m, p, _)| (m.as_str().to_lowercase(), p.clone()))
        .collect();
    assert_eq!(served.len(), routes.len(), "a route is declared twice");

    let doc = ApiDoc::openapi();
    let mut documented = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ] {
            if op.is_some() {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert_eq!(
        served, documented,
        "route table and OpenAPI document differ"
    );

    // Guarded routes say so in the document; public ones do not claim a bearer.
    for (method, path, access) in &routes {
        let item = &doc.paths.paths[path];
        let op = match *method {
            Method::GET => &item.get,
            Method::POST => &item.post,
            Method::DELETE => &item.delete,
            Method::PATCH => &item.patch,
            _ => unreachable!("no other methods are served"),
        }
        .as_ref()
        .unwrap();
        assert_eq!(
            op.security.is_some(),
            *access != Access::Public,
            "{method} {path}: OpenAPI security disagrees with {access:?}"
        );
    }
}

#[tokio::test]
async fn every_guarded_route_refuses_anonymous_callers_and_public_ones_do_not_ask() {
    let app = TestApp::new();
    for (method, path, access) in table() {
        let uri = concrete(&path);
        let r = app.call(method.clone(), &uri, None, None).await;
        if access == Access::Public {
            assert!(
                ![401, 403, 500].contains(&r.status.as_u16()),
                "public {method} {path} answered {}: {}",
                r.status,
                r.text
            );
        } else {
            r.unauthorized();
        }
        let r = app
            .call(method.clone(), &uri, Some("not-a-jwt"), None)
            .await;
        if access != Access::Public {
            r.unauthorized();
        }
    }
}

/// Turns a fresh user into a readonly one through the role routes; answers their tokens,
/// taken *before* the change (so the test also proves the change is immediate).
async fn readonly_user(
    app: &TestApp,
    admin: &crate::support::Tokens,
    email: &str,
) -> (Uuid, crate::support::Tokens) {
    let id = app.signup(email).await;
    let tokens = app.login(email, PASSWORD).await;
    app.post(
        &format!("/api/v1/admin/users/{id}/roles/readonly"),
        Some(&admin.access),
        json!({}),
    )
    .await
    .expect(201);
    app.delete(
        &format!("/api/v1/admin/users/{id}/roles/user"),
        Some(&admin.access),
        None,
    )
    .await
    .expect(204);
    (id, tokens)
}

#[tokio::test]
async fn a_readonly_user_reads_but_cannot_write() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let (_, t) = readonly_user(&app, &admin, "reader@example.com").await;
    let session = t.session_id();

    let me = app.me(&t.access).await;
    me.expect(200);
    assert_eq!(me.body["roles"], json!(["readonly"]));
    app.get("/api/v1/sessions", Some(&t.access))
        .await
        .expect(200);
    app.get(&format!("/api/v1/sessions/{session}"), Some(&t.access))
        .await
        .expect(200);

    let denied = app
        .delete(
            &format!("/api/v1/sessions/{session}"),
            Some(&t.access),
            None,
        )
        .await;
    denied.problem(403, "forbidden");
    assert_eq!(denied.body["title"], "Access Denied");
    assert!(
        denied.body["detail"]
            .as_str()
            .unwrap()
            .contains("sessions:write"),
        "{}",
        denied.text
    );
    app.delete("/api/v1/sessions", Some(&t.access), None)
        .await
        .problem(403, "forbidden");

    // Every route the readonly role does not grant answers 403; the others never do.
    for (method, path, access) in table() {
        if path == "/api/v1/events" {
            // A stream that does not end: its status is the answer.
            let status = app.status_of(method, &path, Some(&t.access)).await;
            assert_eq!(status, 200, "the live stream is anyone's own");
            continue;
        }
        let r = app
            .call(method.clone(), &concrete(&path), Some(&t.access), None)
            .await;
        match access {
            Access::Permission(p) if !Role::Readonly.grants(p) => {
                r.problem(403, "forbidden");
            }
            _ if path == "/api/v1/sessions/current" => {} // would end the session; below
            _ => assert!(
                ![401, 403, 500].contains(&r.status.as_u16()),
                "{method} {path} answered {}: {}",
                r.status,
                r.text
            ),
        }
    }

    // Logout needs no permission: anyone signed in may sign out.
    app.delete(
        "/api/v1/sessions/current",
        Some(&t.access),
        Some(json!({"refresh_token": t.refresh})),
    )
    .await
    .expect(204);
    app.me(&t.access).await.unauthorized();
}

#[tokio::test]
async fn a_user_without_roles_keeps_only_logout_and_profile() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let (id, t) = readonly_user(&app, &admin, "nobody@example.com").await;
    app.delete(
        &format!("/api/v1/admin/users/{id}/roles/readonly"),
        Some(&admin.access),
        None,
    )
    .await
    .expect(204);
    let me = app.me(&t.access).await;
    me.expect(200);
    assert_eq!(me.body["roles"], json!([]));
    app.get("/api/v1/sessions", Some(&t.access))
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn admins_grant_and_revoke_roles_with_immediate_effect() {
    let app = TestApp::new();
    let id = app.signup("ada@example.com").await;
    let ada = app.login("ada@example.com", PASSWORD).await;
    let admin = app.admin().await;
    let roles_uri = |role: &str| format!("/api/v1/admin/users/{id}/roles/{role}");

    app.get("/api/v1/admin/security/config", Some(&ada.access))
        .await
        .problem(403, "forbidden");
    app.post(&roles_uri("admin"), Some(&ada.access), json!({}))
        .await
        .problem(403, "forbidden");

    let before = app.event_count();
    let r = app
        .post(&roles_uri("admin"), Some(&admin.access), json!({}))
        .await;
    r.expect(201);
    assert_eq!(r.body["user_id"], id.to_string());
    assert_eq!(r.body["roles"], json!(["user", "admin"]));
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        app.names_since(before),
        ["RoleGrantAttempted", "RoleGrantSucceeded"]
    );
    let succeeded = app.published().pop().unwrap();
    assert_eq!(succeeded.user_id, Some(admin_id(&app, &admin).await));
    assert_eq!(succeeded.audit_context()["target_user_id"], id.to_string());

    // Idempotent: a second grant changes nothing and says so with 200.
    let again = app
        .post(&roles_uri("admin"), Some(&admin.access), json!({}))
        .await;
    again.expect(200);
    assert_eq!(again.body["roles"], json!(["user", "admin"]));

    // Ada's token predates the grant; the role counts at once anyway.
    app.get("/api/v1/admin/security/config", Some(&ada.access))
        .await
        .expect(200);
    assert_eq!(
        app.me(&ada.access).await.body["roles"],
        json!(["user", "admin"])
    );

    app.delete(&roles_uri("admin"), Some(&admin.access), None)
        .await
        .expect(204);
    app.delete(&roles_uri("admin"), Some(&admin.access), None)
        .await
        .expect(204);
    app.get("/api/v1/admin/security/config", Some(&ada.access))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.names_since(app.event_count() - 2),
        ["RoleRevokeAttempted", "RoleRevokeSucceeded"]
    );
}

async fn admin_id(app: &TestApp, admin: &crate::support::Tokens) -> Uuid {
    app.me(&admin.access).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn role_routes_refuse_bad_input_and_protect_the_admins() {
    let app = TestApp::with_admins(&[ADMIN_EMAIL, "second@example.com"]);
    let admin = app.admin().await;
    let me = admin_id(&app, &admin).await;
    let id = app.signup("ada@example.com").await;

    for method in [Method::POST, Method::DELETE] {
        let uri = format!("/api/v1/admin/users/{id}/roles/superuser");
        let r = app
            .call(method.clone(), &uri, Some(&admin.access), None)
            .await;
        r.problem(422, "validation-failed");
        let r = app
            .call(
                method.clone(),
                "/api/v1/admin/users/nope/roles/user",
                Some(&admin.access),
                None,
            )
            .await;
        r.problem(422, "validation-failed");
        let before = app.event_count();
        let uri = format!("/api/v1/admin/users/{}/roles/user", Uuid::now_v7());
        app.call(method.clone(), &uri, Some(&admin.access), None)
            .await
            .problem(404, "not_found");
        let failed = app.published().pop().unwrap();
        assert!(failed.name().ends_with("Failed"), "{}", failed.name());
        assert_eq!(failed.audit_context()["reason"], "user_not_found");
        assert_eq!(app.event_count(), before + 2);
    }

    // Own admin role: refused, so the last admin cannot lock everyone out.
    let own = app
        .delete(
            &format!("/api/v1/admin/users/{me}/roles/admin"),
            Some(&admin.access),
            None,
        )
        .await;
    own.problem(409, "conflict");
    app.get("/api/v1/admin/security/config", Some(&admin.access))
        .await
        .expect(200);

    // Admin by configuration: refused, it would stay effective.
    let second = app.signup("second@example.com").await;
    let r = app
        .delete(
            &format!("/api/v1/admin/users/{second}/roles/admin"),
            Some(&admin.access),
            None,
        )
        .await;
    r.problem(409, "conflict");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("DASHTAM_ADMIN_EMAILS")
    );
    let second_tokens = app.login("second@example.com", PASSWORD).await;
    app.get("/api/v1/admin/security/config", Some(&second_tokens.access))
        .await
        .expect(200);
}
