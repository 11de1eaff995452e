//! Rate limits against the local stack (on, as deployed).

use serde_json::{Value, json};

use crate::support::*;

/// Rate limiting as deployed: buckets in the emulated DynamoDB table, keyed by the socket
/// peer (127.0.0.1), headers on every answer, 429 once the policy's burst is spent.
#[tokio::test]
async fn rate_limits_against_the_local_stack() {
    let local = start_with(&[("DASHTAM_RATE_LIMITS", "on")], &[]).await;
    for i in 0..3 {
        let resp = local
            .http
            .post(format!("{}/api/v1/users", local.base))
            .json(&json!({"email": format!("rl{i}@example.com"), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.headers()["x-ratelimit-limit"], "3");
        assert_eq!(
            resp.headers()["x-ratelimit-remaining"],
            (2 - i).to_string().as_str()
        );
    }
    let resp = local
        .http
        .post(format!("{}/api/v1/users", local.base))
        .json(&json!({"email": "rl3@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["retry_after"], retry_after);
    assert_eq!(body["title"], "Rate Limit Exceeded");

    // The bucket item is in the table, keyed by policy, peer IP and route template.
    let item = aws_sdk_dynamodb::Client::new(&local.stack.sdk)
        .get_item()
        .table_name(local.stack.var("DASHTAM_TABLE"))
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(
                "RATELIMIT#AUTH_REGISTER#ip:127.0.0.1#POST /api/v1/users".into(),
            ),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("RATELIMIT".into()),
        )
        .send()
        .await
        .unwrap()
        .item;
    assert!(item.is_some_and(|i| i.contains_key("ttl")));
}
