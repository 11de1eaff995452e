//! The baseline: a bare BatchWriteItem loop (25 items a call, unprocessed items retried)
//! over the very items the sync stored, copied into a fresh partition. The items are
//! read back untimed with a Query, and only their keys change (a new account id in `PK`,
//! a new transaction id in `GSI1PK`, same lengths), so the baseline writes exactly the
//! shape and size the sync wrote, one item per transaction (the sync also writes a
//! dedupe marker per transaction and moves the account's count).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, PutRequest, WriteRequest},
};
use uuid::Uuid;

use crate::BoxError;

pub type Item = HashMap<String, AttributeValue>;

/// BatchWriteItem's limit.
const BATCH: usize = 25;

/// Every transaction item under `account_id` (not the `TXNKEY#` markers), as stored.
pub async fn items_of_account(
    client: &Client,
    table: &str,
    account_id: Uuid,
) -> Result<Vec<Item>, BoxError> {
    let mut items = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let out = client
            .query()
            .table_name(table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(format!("ACCOUNT#{account_id}")))
            .expression_attribute_values(":prefix", AttributeValue::S("TXN#".into()))
            .set_exclusive_start_key(start.take())
            .send()
            .await?;
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(items),
        }
    }
}

/// `items` moved to fresh partitions: each account's `PK` becomes a new account id's,
/// each `GSI1PK` a new transaction id's (same lengths, so the same item sizes).
pub fn rekeyed(items: &[Item]) -> Vec<Item> {
    let mut partitions: HashMap<String, AttributeValue> = HashMap::new();
    items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            let old = item
                .get("PK")
                .and_then(|pk| pk.as_s().ok())
                .cloned()
                .unwrap_or_default();
            let pk = partitions
                .entry(old)
                .or_insert_with(|| AttributeValue::S(format!("ACCOUNT#{}", Uuid::now_v7())))
                .clone();
            item.insert("PK".into(), pk);
            item.insert(
                "GSI1PK".into(),
                AttributeValue::S(format!("TXN#{}", Uuid::now_v7())),
            );
            item
        })
        .collect()
}

/// Writes `items` 25 at a time, retrying what DynamoDB leaves unprocessed; answers the
/// time of the loop alone (the requests are built before the clock starts).
pub async fn batch_write(
    client: &Client,
    table: &str,
    items: Vec<Item>,
) -> Result<Duration, BoxError> {
    let requests: Vec<WriteRequest> = items
        .into_iter()
        .map(|item| {
            let put = PutRequest::builder().set_item(Some(item)).build()?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<_, aws_sdk_dynamodb::error::BuildError>>()?;
    let mut requests = requests.into_iter();
    let started = Instant::now();
    loop {
        let mut pending: Vec<WriteRequest> = requests.by_ref().take(BATCH).collect();
        if pending.is_empty() {
            return Ok(started.elapsed());
        }
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt += 1;
                if attempt > 10 {
                    return Err("BatchWriteItem: items still unprocessed after 10 retries".into());
                }
                tokio::time::sleep(Duration::from_millis(10 << attempt.min(6))).await;
            }
        }
    }
}
