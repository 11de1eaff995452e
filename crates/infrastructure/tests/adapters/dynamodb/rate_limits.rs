//! The DynamoDB rate-limit store against the emulated AWS (moto), through the real SDK:
//! same decisions as the pure model, atomic under concurrency, TTL on every bucket.

use std::{sync::Arc, time::Duration};

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use dashtam_domain::{
    StoreError,
    platform::{
        ports::RateLimitStore,
        rate_limit::{BucketKey, Limit, Policy},
    },
};
use dashtam_infrastructure::{dynamodb::DynamoRateLimits, memory::MemoryRateLimits};
use futures::future::join_all;

use crate::support::*;

const NOW: i64 = 1_800_000_000_000;

fn key(subject: &str) -> BucketKey {
    BucketKey {
        policy: Policy::AuthLogin,
        subject: subject.into(),
        route: "POST /api/v1/sessions".into(),
    }
}

#[tokio::test]
async fn a_bucket_lets_the_burst_through_refuses_then_refills() {
    let db = Db::new().await;
    let store = db.rate_limits();
    let limit = Limit::new(5, 5).unwrap();
    let k = key("ip:192.0.2.1");
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let d = store.take(&k, limit, NOW).await.unwrap();
        assert!(d.allowed);
        remaining.push(d.remaining);
    }
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
    let denied = store.take(&k, limit, NOW + 1).await.unwrap();
    assert!(!denied.allowed);
    assert_eq!(denied.retry_after_ms, 11_999);
    assert_eq!(denied.retry_after_secs(), 12);

    // A token is back after T = 12 s, and only one.
    assert!(store.take(&k, limit, NOW + 12_000).await.unwrap().allowed);
    assert!(!store.take(&k, limit, NOW + 12_000).await.unwrap().allowed);

    // The item: documented key, TAT in ms, TTL in s past the moment the bucket is full.
    let item = db
        .client
        .get_item()
        .table_name(&db.table)
        .key(
            "PK",
            AttributeValue::S("RATELIMIT#AUTH_LOGIN#ip:192.0.2.1#POST /api/v1/sessions".into()),
        )
        .key("SK", AttributeValue::S("RATELIMIT".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let num = |name: &str| -> i64 { item[name].as_n().unwrap().parse().unwrap() };
    assert_eq!(num("tat"), NOW + 6 * 12_000);
    assert!(num("ttl") * 1000 >= num("tat"), "ttl outlives the bucket");
    assert_eq!(item["entity"].as_s().unwrap(), "rate_limit");
}

/// Whatever the order of branches tried, the answers are the pure model's: checked with
/// one long-lived adapter (its TAT hints warm) and a fresh adapter per take (no hints).
#[tokio::test]
async fn decisions_match_the_model_with_and_without_hints() {
    let db = Db::new().await;
    let warm = db.rate_limits();
    let limit = Limit::new(3, 6).unwrap(); // T = 10 s
    let times = [
        0, 0, 0, 0, 9_999, 10_000, 10_000, 25_000, 26_000, 27_000, 28_000, 90_000, 90_000,
    ];
    let mut model_tat = None;
    for (i, dt) in times.iter().enumerate() {
        let now = NOW + dt;
        let (expected, new_tat) = limit.decide(model_tat, now);
        if new_tat.is_some() {
            model_tat = new_tat;
        }
        let got_warm = warm.take(&key("warm"), limit, now).await.unwrap();
        let got_cold = db
            .rate_limits()
            .take(&key("cold"), limit, now)
            .await
            .unwrap();
        assert_eq!(got_warm, expected, "warm, take {i} at +{dt} ms");
        assert_eq!(got_cold, expected, "cold, take {i} at +{dt} ms");
    }
}

#[tokio::test]
async fn twenty_parallel_takes_on_a_burst_of_five_let_exactly_five_through() {
    let db = Db::new().await;
    let limit = Limit::new(5, 5).unwrap();
    // Half share one adapter (and its hints), half come from "other Lambdas".
    let shared = Arc::new(db.rate_limits());
    let takes = (0..20).map(|i| {
        let store = if i % 2 == 0 {
            shared.clone()
        } else {
            Arc::new(db.rate_limits())
        };
        async move { store.take(&key("ip:race"), limit, NOW).await.unwrap() }
    });
    let decisions = join_all(takes.map(tokio::spawn)).await;
    let allowed = decisions
        .into_iter()
        .filter(|d| d.as_ref().unwrap().allowed)
        .count();
    assert_eq!(allowed, 5);
    let after = shared.take(&key("ip:race"), limit, NOW).await.unwrap();
    assert!(!after.allowed);
}

#[tokio::test]
async fn both_stores_agree_on_separate_buckets_per_subject_and_route() {
    let db = Db::new().await;
    let dynamo = db.rate_limits();
    let memory = MemoryRateLimits::new();
    let limit = Limit::new(1, 1).unwrap();
    let mut other_route = key("ip:a");
    other_route.route = "POST /api/v1/users".into();
    for store in [&dynamo as &dyn RateLimitStore, &memory] {
        assert!(store.take(&key("ip:a"), limit, NOW).await.unwrap().allowed);
        assert!(!store.take(&key("ip:a"), limit, NOW).await.unwrap().allowed);
        assert!(store.take(&key("ip:b"), limit, NOW).await.unwrap().allowed);
        assert!(store.take(&other_route, limit, NOW).await.unwrap().allowed);
    }
}

#[tokio::test]
async fn a_dead_endpoint_is_a_throttled_error_worth_a_retry() {
    let sdk = dashtam_testkit::sdk_config("http://127.0.0.1:9").await;
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    let store = DynamoRateLimits::new(Client::from_conf(conf), "no-table".into());
    let started = std::time::Instant::now();
    let err = store
        .take(&key("ip:a"), Limit::new(5, 5).unwrap(), NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Throttled(m) if m.contains("UpdateItem")),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
