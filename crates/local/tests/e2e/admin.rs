//! Roles and the audit trail over HTTP, recorded exactly once by the audit consumer.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn roles_and_the_audit_trail_against_the_local_stack() {
    let s = start().await;
    let mut access = Vec::new();
    for email in ["root@example.com", "ada@example.com"] {
        s.signup(email).await;
        let pair = s.login(email, PASSWORD).await;
        access.push(pair["access_token"].as_str().unwrap().to_owned());
    }
    let (root, ada) = (access[0].as_str(), access[1].as_str());
    let (_, me) = s
        .call(reqwest::Method::GET, "/api/v1/users/me", Some(ada), None)
        .await;
    let ada_id = me["id"].as_str().unwrap().to_owned();
    let (_, me) = s
        .call(reqwest::Method::GET, "/api/v1/users/me", Some(root), None)
        .await;
    let root_id = me["id"].as_str().unwrap().to_owned();

    // Make ada readonly; her existing token follows at once.
    let (status, body) = s
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/users/{ada_id}/roles/readonly"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["roles"], json!(["readonly", "user"]));
    let (status, _) = s
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/users/{ada_id}/roles/user"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        s.call(reqwest::Method::GET, "/api/v1/sessions", Some(ada), None)
            .await
            .0,
        200
    );
    let (status, problem) = s
        .call(reqwest::Method::DELETE, "/api/v1/sessions", Some(ada), None)
        .await;
    assert_eq!(
        (status, problem["title"].as_str()),
        (403, Some("Access Denied"))
    );

    // The audit consumer records the role events; the admin reads them back.
    let deadline = Instant::now() + Duration::from_secs(20);
    let records = loop {
        let (status, page) = s
            .call(
                reqwest::Method::GET,
                "/api/v1/admin/audit?action=RoleGrantSucceeded",
                Some(root),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let records = page["records"].as_array().cloned().unwrap_or_default();
        if !records.is_empty() {
            break records;
        }
        assert!(
            Instant::now() < deadline,
            "no RoleGrantSucceeded audit record within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(records[0]["user_id"], root_id.as_str());
    assert_eq!(records[0]["resource_type"], "user");
    assert_eq!(records[0]["resource_id"], ada_id.as_str());
    assert_eq!(records[0]["context"]["role"], "readonly");

    // Root's own trail, two at a time, to the end; a tampered cursor is refused.
    let mut uri = format!("/api/v1/admin/audit?user_id={root_id}&limit=2");
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let (status, page) = s.call(reqwest::Method::GET, &uri, Some(root), None).await;
        assert_eq!(status, 200, "{page}");
        for r in page["records"].as_array().unwrap() {
            seen.push(r["created_at"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                cursor = Some(c.to_owned());
                uri = format!("/api/v1/admin/audit?user_id={root_id}&limit=2&cursor={c}");
            }
            None => break,
        }
    }
    assert!(seen.len() >= 4, "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {seen:?}"
    );
    let tampered = format!("{}A", cursor.unwrap());
    let (status, _) = s
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/admin/audit?user_id={root_id}&cursor={tampered}"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 400);
}
