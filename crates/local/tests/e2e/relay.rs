//! The outbox relay on the emulated stream: refused writes leave no event, and the events
//! of later writes still flow, each recorded once.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

/// Refused writes, a cancelled transaction among them, leave no event behind and do not
/// stop the events of later writes (the emulated stream once forked at the first
/// cancelled transaction: a phantom event, then silence).
#[tokio::test]
async fn refused_writes_leave_no_event_and_later_events_still_flow() {
    let s = start_with(
        &[
            ("DASHTAM_RATE_LIMITS", "off"),
            ("RUST_LOG", "warn,dashtam_container::runners::stream=info"),
        ],
        &[],
    )
    .await;
    let ada = "ada@example.com";
    let register = |email: &'static str| {
        s.post(
            "/api/v1/users",
            json!({"email": email, "password": PASSWORD}),
        )
    };
    assert_eq!(register(ada).await.0, 201);
    // The email marker's condition cancels the second registration's transaction.
    assert_eq!(register("ADA@example.com").await.0, 409);
    let token = s.mailed_token(ada, 0).await;
    assert_eq!(
        s.post("/api/v1/email-verifications", json!({"token": token}))
            .await
            .0,
        201
    );

    // A lockout: five wrong passwords, then the right one is refused.
    for _ in 0..5 {
        let wrong = json!({"email": ada, "password": "Wr0ng!Passw0rd"});
        assert_eq!(s.post("/api/v1/sessions", wrong).await.0, 401);
    }
    let right = json!({"email": ada, "password": PASSWORD});
    assert_eq!(s.post("/api/v1/sessions", right).await.0, 403);

    // Failed password resets: an unknown token, then a used one (twice at once).
    let unknown = json!({"token": "f".repeat(64), "new_password": "N3w!Passw0rdX"});
    assert_eq!(s.post("/api/v1/password-resets", unknown).await.0, 404);
    let asked = json!({"email": ada});
    assert_eq!(s.post("/api/v1/password-reset-tokens", asked).await.0, 201);
    let reset = s.mailed_token(ada, 1).await;
    let confirm = json!({"token": reset, "new_password": "N3w!Passw0rdX"});
    assert_eq!(
        s.post("/api/v1/password-resets", confirm.clone()).await.0,
        201
    );
    let (again, twice) = futures::join!(
        s.post("/api/v1/password-resets", confirm.clone()),
        s.post("/api/v1/password-resets", confirm)
    );
    assert_eq!((again.0, twice.0), (404, 404));

    // A new registration's email arrives within a few seconds.
    let started = Instant::now();
    assert_eq!(register("bob@example.com").await.0, 201);
    let deadline = started + Duration::from_secs(5);
    while s.mails("bob@example.com").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no verification email within 5 s: the relay stalled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waited = started.elapsed();

    // Ada got her verification, reset and password-changed emails, nothing for what was
    // refused.
    let subjects: Vec<String> = s
        .mails(ada)
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert_eq!(
        subjects.iter().filter(|s| s.contains("Verify")).count(),
        1,
        "{subjects:?}"
    );

    // Every committed event is recorded once, and nothing else is.
    let committed = s.committed().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let trail = loop {
        let trail = s.audit_trail().await;
        if trail.len() >= committed || Instant::now() > deadline {
            break trail;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let mut ids: Vec<_> = trail.iter().map(|r| r.event_id).collect();
    ids.sort();
    ids.dedup();
    let count = |action: &str| trail.iter().filter(|r| r.action == action).count();
    eprintln!(
        "events: committed {committed}, relayed {}, recorded {} ({} distinct); bob's email after {waited:?}",
        s.relayed(),
        trail.len(),
        ids.len()
    );
    assert_eq!(ids.len(), trail.len(), "one record per event");
    assert_eq!(trail.len(), committed, "every committed event, once");
    assert_eq!(
        s.relayed(),
        committed,
        "the relay published exactly what committed"
    );
    assert_eq!(
        count("UserRegistrationSucceeded"),
        2,
        "ada and bob, no phantom"
    );
    assert_eq!(count("UserRegistrationFailed"), 1);
    assert_eq!(count("PasswordResetConfirmSucceeded"), 1);
    assert_eq!(count("PasswordResetConfirmFailed"), 3);
}
