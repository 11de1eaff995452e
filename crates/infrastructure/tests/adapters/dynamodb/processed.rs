//! Processed-event claims: leases, completion, release.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use dashtam_domain::platform::ports::ProcessedEvents;
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn processed_event_claims_leases_and_completion() {
    let db = Db::new().await;
    let processed = db.processed();
    let event = Uuid::now_v7();
    let lease = Utc::now() + Duration::minutes(5);

    assert!(processed.claim("email", event, lease).await.unwrap());
    assert!(
        !processed.claim("email", event, lease).await.unwrap(),
        "live lease"
    );
    assert!(
        processed.claim("audit", event, lease).await.unwrap(),
        "per consumer"
    );
    let raw = db
        .raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
        .await
        .unwrap();
    assert!(ttl_of(&raw) >= (lease + Duration::days(7)).timestamp());

    // Released after a failure: a redelivery may claim again.
    processed.release("email", event).await.unwrap();
    assert!(
        db.raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
            .await
            .is_none()
    );
    assert!(processed.claim("email", event, lease).await.unwrap());

    // Done is for good: no claim, and release leaves it alone.
    processed.complete("email", event).await.unwrap();
    assert!(!processed.claim("email", event, lease).await.unwrap());
    processed.release("email", event).await.unwrap();
    assert!(
        !processed
            .claim("email", event, Utc::now() - Duration::minutes(1))
            .await
            .unwrap()
    );
    let raw = db
        .raw(&format!("PROCESSED#email#{event}"), "PROCESSED")
        .await
        .unwrap();
    assert_eq!(raw.get("status"), Some(&AttributeValue::S("done".into())));
    assert!(ttl_of(&raw) >= (Utc::now() + Duration::days(6)).timestamp());
    assert!(!raw.contains_key("lease_until"));

    // A lease that ran out (a worker died) can be taken over.
    let crashed = Uuid::now_v7();
    assert!(
        processed
            .claim("email", crashed, Utc::now() - Duration::seconds(1))
            .await
            .unwrap()
    );
    assert!(
        processed.claim("email", crashed, lease).await.unwrap(),
        "expired lease"
    );
    assert!(!processed.claim("email", crashed, lease).await.unwrap());

    // Completing something never claimed records it as done.
    let direct = Uuid::now_v7();
    processed.complete("email", direct).await.unwrap();
    assert!(!processed.claim("email", direct, lease).await.unwrap());
}
