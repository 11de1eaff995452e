//! The audit trail: append once per event, list a user's records newest first.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::platform::{entities::AuditRecord, ports::AuditRepository};
use uuid::Uuid;

use crate::support::*;

fn audit_record(user_id: Option<Uuid>, action: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        action: action.into(),
        user_id,
        resource_type: Some("session".into()),
        resource_id: None,
        ip_address: Some("10.0.0.1".into()),
        user_agent: None,
        context: serde_json::json!({"n": 1, "f": 1.5, "big": 12345678901234567_u64, "nested": {"a": [1, null, "x"]}, "empty": {}}),
        created_at: at,
    }
}

#[tokio::test]
async fn audit_append_is_idempotent_per_event_and_lists_newest_first() {
    let db = Db::new().await;
    let audit = db.audit();
    let user_id = Uuid::now_v7();
    let t0 = Utc::now();

    let first = audit_record(Some(user_id), "USER_LOGIN_SUCCEEDED", t0);
    assert!(audit.append(&first).await.unwrap());
    // A redelivery (same event, even with a fresh record id) is refused.
    let redelivered = AuditRecord {
        id: Uuid::now_v7(),
        ..first.clone()
    };
    assert!(!audit.append(&redelivered).await.unwrap());
    assert_eq!(
        audit.list_for_user(user_id, 10).await.unwrap(),
        vec![first.clone()]
    );

    let second = audit_record(Some(user_id), "USER_LOGOUT", t0 + Duration::seconds(1));
    let third = audit_record(
        Some(user_id),
        "USER_PASSWORD_CHANGED",
        t0 + Duration::seconds(2),
    );
    let anonymous = audit_record(None, "USER_LOGIN_FAILED", t0);
    for r in [&third, &second, &anonymous] {
        assert!(audit.append(r).await.unwrap());
    }
    let listed = audit.list_for_user(user_id, 10).await.unwrap();
    assert_eq!(listed, vec![third.clone(), second.clone(), first.clone()]);
    assert_eq!(
        audit.list_for_user(user_id, 2).await.unwrap(),
        vec![third, second]
    );
    assert!(audit.list_for_user(user_id, 0).await.unwrap().is_empty());

    // Keys: GSI1 only for records with a user, GSI2 by UTC day for all.
    let raw = db
        .raw(&format!("AUDIT#{}", anonymous.event_id), "AUDIT")
        .await
        .unwrap();
    assert!(!raw.contains_key("GSI1PK"));
    assert_eq!(
        raw.get("GSI2PK"),
        Some(&AttributeValue::S(format!(
            "AUDIT#{}",
            t0.format("%Y-%m-%d")
        )))
    );
    assert!(!raw.contains_key("ttl"), "audit records never expire");
}
