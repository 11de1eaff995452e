//! Connections (create once, versioned saves, owner, listing), OAuth states (taken
//! once) and sync claims (one winner per interval), each against DynamoDB and memory.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    providers::{OAUTH_STATE_TTL, OAuthState, ProviderConnection, ProviderSlug},
};
use uuid::Uuid;

use super::fin::{Fin, both, connection};
use crate::support::{hash, ttl_of};

both!(
    connections_are_versioned_owned_and_listed,
    oauth_state_is_taken_once,
    sync_claims_admit_one_per_interval
);

async fn connections_are_versioned_owned_and_listed(fin: Fin) {
    let repo = &fin.connections;
    let user = Uuid::now_v7();
    let now = Utc::now();
    let first = connection(user, now);
    repo.create(&first, &[]).await.unwrap();
    assert_eq!(
        repo.create(&first, &[]).await,
        Err(StoreError::AlreadyExists(Existing::Connection))
    );
    let stored = repo.find(user, first.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        ProviderConnection {
            version: 1,
            ..first.clone()
        }
    );
    assert_eq!(
        repo.find(Uuid::now_v7(), first.id).await.unwrap(),
        None,
        "another user's"
    );

    // A save moves the version on; the copy read before is stale afterwards.
    let mut changed = stored.clone();
    changed.disconnect(now);
    repo.save(&changed, &[]).await.unwrap();
    assert_eq!(
        repo.save(&stored, &[]).await,
        Err(StoreError::Conflict(Conflict::StaleConnection))
    );
    let saved = repo.find(user, first.id).await.unwrap().unwrap();
    assert_eq!((saved.version, saved.credentials.is_none()), (2, true));
    // Saving one never created is a conflict, not an upsert.
    assert_eq!(
        repo.save(&connection(user, now), &[]).await,
        Err(StoreError::Conflict(Conflict::StaleConnection))
    );

    let second = connection(user, now);
    repo.create(&second, &[]).await.unwrap();
    let ids: Vec<Uuid> = repo
        .list_for_user(user)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [first.id, second.id], "oldest first");
    assert_eq!(repo.owner_of(second.id).await.unwrap(), Some(user));
    assert_eq!(repo.owner_of(Uuid::now_v7()).await.unwrap(), None);

    if let Some(db) = &fin.db {
        let pk = format!("USER#{user}");
        let raw = db
            .raw(&pk, &format!("CONNECTION#{}", second.id))
            .await
            .unwrap();
        assert_eq!(
            raw.get("credentials"),
            Some(&AttributeValue::B(vec![1, 0, 255, 42].into()))
        );
        let erased = db
            .raw(&pk, &format!("CONNECTION#{}", first.id))
            .await
            .unwrap();
        assert!(!erased.contains_key("credentials"), "absent, never NULL");
        assert!(!erased.contains_key("access_expires_at"));
    }
}

async fn oauth_state_is_taken_once(fin: Fin) {
    let now = Utc::now();
    let state = OAuthState {
        hash: hash("s"),
        user_id: Uuid::now_v7(),
        provider_slug: ProviderSlug::Schwab,
        alias: Some("IRA".into()),
        redirect_uri: "http://127.0.0.1:3000/oauth/schwab/callback".into(),
        connection_id: None,
        created_at: now,
        expires_at: now + OAUTH_STATE_TTL,
    };
    fin.oauth.put(&state).await.unwrap();
    if let Some(db) = &fin.db {
        let raw = db
            .raw(&format!("OAUTHSTATE#{}", state.hash.as_str()), "OAUTHSTATE")
            .await
            .unwrap();
        assert_eq!(
            ttl_of(&raw),
            (state.expires_at + Duration::hours(1)).timestamp()
        );
    }
    // Two callbacks with one state at once: exactly one gets it.
    let (a, b) = tokio::join!(fin.oauth.take(&state.hash), fin.oauth.take(&state.hash));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.is_some() as u8 + b.is_some() as u8, 1, "{a:?} {b:?}");
    assert_eq!(a.or(b), Some(state.clone()));
    assert_eq!(fin.oauth.take(&state.hash).await.unwrap(), None);
    assert_eq!(fin.oauth.take(&hash("unknown")).await.unwrap(), None);
}

async fn sync_claims_admit_one_per_interval(fin: Fin) {
    let c = &fin.claims;
    let user = Uuid::now_v7();
    let every = Duration::minutes(5);
    let t0 = Utc::now();
    let key = "accounts#0197e0a2-7a62-7cc3-9a3c-6d1b8f3c1e11";
    let (a, b) = tokio::join!(
        c.claim(user, key, t0, every, false),
        c.claim(user, key, t0, every, false)
    );
    assert_eq!(
        a.unwrap() as u8 + b.unwrap() as u8,
        1,
        "exactly one of two concurrent claims"
    );
    let t1 = t0 + Duration::minutes(1);
    assert!(
        !c.claim(user, key, t1, every, false).await.unwrap(),
        "within the interval"
    );
    assert!(
        c.claim(Uuid::now_v7(), key, t1, every, false)
            .await
            .unwrap(),
        "another user's"
    );
    assert!(
        c.claim(user, "holdings#x", t1, every, false).await.unwrap(),
        "another key"
    );
    assert!(c.claim(user, key, t1, every, true).await.unwrap(), "forced");

    // Releasing an older claim leaves the newer one alone; releasing ours frees it.
    c.release(user, key, t0).await.unwrap();
    assert!(!c.claim(user, key, t1, every, false).await.unwrap());
    c.release(user, key, t1).await.unwrap();
    assert!(
        c.claim(user, key, t1, every, false).await.unwrap(),
        "claimed again after release"
    );

    // A claim older than the interval no longer counts.
    let later = t1 + every + Duration::seconds(1);
    assert!(c.claim(user, key, later, every, false).await.unwrap());
    if let Some(db) = &fin.db {
        let raw = db
            .raw(&format!("USER#{user}"), &format!("SYNCCLAIM#{key}"))
            .await
            .unwrap();
        assert!(ttl_of(&raw) > (later + every).timestamp());
    }
}
