//! `GET /api/v1/admin/audit` over the in-memory trail: filters, newest first, signed
//! cursors bound to their query, and every bad input as a problem (never a 500).

use std::collections::BTreeSet;

use crate::support::TestApp;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::platform::{entities::AuditRecord, ports::AuditRepository};
use serde_json::{Value, json};
use uuid::Uuid;

fn record(action: &str, user: Option<Uuid>, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        action: action.to_owned(),
        user_id: user,
        resource_type: Some("user".into()),
        resource_id: None,
        ip_address: Some("198.51.100.1".into()),
        user_agent: Some("curl/8".into()),
        context: json!({"email": "a@b.co"}),
        created_at: at,
    }
}

/// 30 records over 10 days: three users in turn, two actions in turn.
async fn seed(app: &TestApp) -> (Vec<Uuid>, Vec<AuditRecord>) {
    let users: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    let mut all = Vec::new();
    for i in 0..30i64 {
        let action = if i % 2 == 0 {
            "UserLoginFailed"
        } else {
            "UserLoginSucceeded"
        };
        let r = record(
            action,
            Some(users[(i % 3) as usize]),
            app.now() - Duration::hours(8 * i + 1),
        );
        assert!(app.store.append(&r).await.unwrap());
        all.push(r);
    }
    (users, all)
}

/// Follows `next_cursor` to the end; answers every record id in order.
async fn walk(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut uri = format!("/api/v1/admin/audit?{query}");
    for _ in 0..100 {
        let r = app.get(&uri, Some(token)).await;
        r.expect(200);
        for rec in r.body["records"].as_array().unwrap() {
            ids.push(rec["id"].as_str().unwrap().to_owned());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/admin/audit?{query}&cursor={c}"),
            None => return ids,
        }
    }
    panic!("the walk did not end");
}

fn ids_of(records: &[&AuditRecord]) -> Vec<String> {
    records.iter().map(|r| r.id.to_string()).collect()
}

#[tokio::test]
async fn lists_newest_first_with_the_full_record_shape() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let (_, all) = seed(&app).await;
    let r = app
        .get("/api/v1/admin/audit?limit=5", Some(&admin.access))
        .await;
    r.expect(200);
    let records = r.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 5);
    // The admin's own sign-up and login are not in the store (no consumer here): the
    // seeded records are all there is.
    assert_eq!(records[0]["id"], all[0].id.to_string());
    let keys: BTreeSet<&str> = records[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "event_id",
            "action",
            "user_id",
            "resource_type",
            "resource_id",
            "ip_address",
            "user_agent",
            "context",
            "created_at"
        ])
    );
    assert_eq!(records[0]["context"], json!({"email": "a@b.co"}));
    let times: Vec<&str> = records
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    assert!(r.body["next_cursor"].is_string());
}

#[tokio::test]
async fn cursors_walk_every_filter_to_the_end_without_gaps_or_repeats() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let (users, all) = seed(&app).await;
    let newest_first = |keep: &dyn Fn(&AuditRecord) -> bool| -> Vec<String> {
        ids_of(&all.iter().filter(|r| keep(r)).collect::<Vec<_>>())
    };

    assert_eq!(
        walk(&app, &admin.access, "limit=7").await,
        newest_first(&|_| true)
    );
    assert_eq!(
        walk(
            &app,
            &admin.access,
            &format!("limit=2&user_id={}", users[1])
        )
        .await,
        newest_first(&|r| r.user_id == Some(users[1]))
    );
    assert_eq!(
        walk(&app, &admin.access, "limit=4&action=UserLoginFailed").await,
        newest_first(&|r| r.action == "UserLoginFailed")
    );
    let since = app.now() - Duration::days(3);
    let since_q = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(
        walk(
            &app,
            &admin.access,
            &format!(
                "limit=3&user_id={}&action=UserLoginSucceeded&since={since_q}",
                users[0]
            )
        )
        .await,
        newest_first(&|r| r.user_id == Some(users[0])
            && r.action == "UserLoginSucceeded"
            && r.created_at >= since)
    );
    // Default window: the last 30 days (all seeded records are within 10).
    app.advance(Duration::days(25));
    let admin = app
        .login(crate::support::ADMIN_EMAIL, crate::support::PASSWORD)
        .await;
    assert_eq!(
        walk(&app, &admin.access, "limit=50").await.len(),
        all.iter()
            .filter(|r| r.created_at >= app.now() - Duration::days(30))
            .count()
    );
}

#[tokio::test]
async fn a_tampered_or_foreign_cursor_is_a_400_problem() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let (users, _) = seed(&app).await;
    let first = app
        .get(
            "/api/v1/admin/audit?limit=2&action=UserLoginFailed",
            Some(&admin.access),
        )
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();

    // Same query: fine, and the limit may change between pages.
    app.get(
        &format!("/api/v1/admin/audit?limit=5&action=UserLoginFailed&cursor={cursor}"),
        Some(&admin.access),
    )
    .await
    .expect(200);

    // Other filters.
    for other in [
        "action=UserLoginSucceeded".to_owned(),
        String::new(),
        format!("action=UserLoginFailed&user_id={}", users[0]),
        format!(
            "action=UserLoginFailed&since={}",
            (app.now() - Duration::days(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    ] {
        let r = app
            .get(
                &format!("/api/v1/admin/audit?{other}&cursor={cursor}"),
                Some(&admin.access),
            )
            .await;
        r.problem(400, "command_validation_failed");
        assert_eq!(r.error_fields(), ["cursor"]);
    }

    // A position moved by the client, with the original signature.
    let (payload, tag) = cursor.split_once('.').unwrap();
    let mut state: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    state["id"] = json!(Uuid::max().to_string());
    let forged = format!(
        "{}.{tag}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&state).unwrap())
    );
    for bad in [
        forged.as_str(),
        "garbage",
        "a.b",
        "..",
        &format!("{cursor}x"),
    ] {
        app.get(
            &format!("/api/v1/admin/audit?action=UserLoginFailed&cursor={bad}"),
            Some(&admin.access),
        )
        .await
        .problem(400, "command_validation_failed");
    }
}

#[tokio::test]
async fn bad_parameters_are_422_and_non_admins_403() {
    let app = TestApp::new();
    let admin = app.admin().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("since=yesterday", "since"),
        ("since=2020-01-01T00:00:00Z", "since"),
        ("since=2999-01-01T00:00:00Z", "since"),
        ("user_id=42", "user_id"),
        ("action=NoSuchEvent", "action"),
        ("cursor=", "cursor"),
        ("colour=red", ""),
    ] {
        let r = app
            .get(&format!("/api/v1/admin/audit?{query}"), Some(&admin.access))
            .await;
        r.problem(422, "validation-failed");
        if !field.is_empty() {
            assert_eq!(r.error_fields(), [field], "{query}: {}", r.text);
        }
    }
    app.get("/api/v1/admin/audit?limit=100", Some(&admin.access))
        .await
        .expect(200);

    app.signup("ada@example.com").await;
    let ada = app.login("ada@example.com", crate::support::PASSWORD).await;
    app.get("/api/v1/admin/audit", Some(&ada.access))
        .await
        .problem(403, "forbidden");
    app.get("/api/v1/admin/audit", None).await.unauthorized();
}
