//! The transactional outbox and the live feed, in the same table as the state they
//! belong to.
//!
//! Every repository write appends [`event_items`] to its own TransactWriteItems, so an
//! event exists if and only if its state change committed. DynamoDB Streams carries the
//! new `OUTBOX#` items to the relay (a Lambda function in AWS, a poller locally), which
//! publishes them and then deletes them. Streamable events also get a `FEED#<user>` item
//! that the live stream reads.

#![allow(non_snake_case)]

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    StoreError,
    platform::{
        events::DomainEvent,
        ports::{EventFeed, EventOutbox, FeedEntry},
    },
};
use futures::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::{Expr, QuerySpec},
    keys::key,
    table::{Item, MAX_TX_ITEMS, Table, to_item},
    ts::{self, epoch},
};

pub(crate) const OUTBOX_SK: &str = "OUTBOX";
const OUTBOX_PREFIX: &str = "OUTBOX#";
const FEED_SK_PREFIX: &str = "EVENT#";
/// An unrelayed outbox item is kept this long (Streams keep records 24 h; the rest is
/// room for a manual replay). The relay deletes it as soon as it is published.
const OUTBOX_RETENTION: Duration = Duration::days(7);
/// How far back a live-stream client can resume with `Last-Event-ID`.
const FEED_RETENTION: Duration = Duration::days(7);
const ACK_CONCURRENCY: usize = 8;
/// Waiting outbox items are indexed (GSI2) over this many partitions, so a burst of
/// events does not throttle one index partition (which would throttle the writes).
const PENDING_PARTITIONS: u8 = 4;

fn outbox_pk(event_id: Uuid) -> String {
    format!("{OUTBOX_PREFIX}{event_id}")
}

/// The index partition of a waiting outbox item: from the event id's random tail.
fn pending_pk(event_id: Uuid) -> String {
    let tail = event_id.as_bytes()[15];
    pending_partition(tail % PENDING_PARTITIONS)
}

fn pending_partition(n: u8) -> String {
    format!("OUTBOXPENDING#{n}")
}

fn feed_pk(user_id: Uuid) -> String {
    format!("FEED#{user_id}")
}

fn feed_sk(event_id: Uuid) -> String {
    format!("{FEED_SK_PREFIX}{event_id}")
}

/// An outbox item. The event travels as JSON text: it is read back whole by the relay,
/// never queried inside, and JSON round-trips it exactly.
#[derive(Debug, Serialize, Deserialize)]
struct OutboxItem {
    PK: String,
    SK: String,
    /// `OUTBOXPENDING#<n>` / `<occurred_at>#<event id>`: the oldest waiting event.
    GSI2PK: String,
    GSI2SK: String,
    entity: String,
    name: String,
    event: String,
    #[serde(with = "ts")]
    occurred_at: DateTime<Utc>,
    ttl: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct FeedItem {
    PK: String,
    SK: String,
    entity: String,
    event_id: Uuid,
    event_type: String,
    #[serde(with = "ts")]
    occurred_at: DateTime<Utc>,
    /// JSON text, secrets already removed (see `DomainEvent::audit_context`).
    data: String,
    ttl: i64,
}

fn serialise_failed(e: serde_json::Error) -> StoreError {
    StoreError::Unavailable(format!("dynamodb: cannot serialise event: {e}"))
}

/// The Puts that record `events`: one outbox item each, plus a feed item for each
/// streamable event of a user. Unconditional: event ids are unique, and rewriting the same
/// event in a retried transaction is harmless.
pub(crate) fn event_items(
    table: &Table,
    events: &[DomainEvent],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut out = Vec::with_capacity(events.len() * 2);
    for e in events {
        let outbox = OutboxItem {
            PK: outbox_pk(e.event_id),
            SK: OUTBOX_SK.to_owned(),
            GSI2PK: pending_pk(e.event_id),
            GSI2SK: format!("{}#{}", ts::format(e.occurred_at), e.event_id),
            entity: "outbox".to_owned(),
            name: e.name().to_owned(),
            event: serde_json::to_string(e).map_err(serialise_failed)?,
            occurred_at: e.occurred_at,
            ttl: epoch(e.occurred_at + OUTBOX_RETENTION),
        };
        out.push(put(table, to_item("outbox event", &outbox)?)?);
        if let Some((user_id, entry)) = FeedEntry::of(e) {
            let feed = FeedItem {
                PK: feed_pk(user_id),
                SK: feed_sk(entry.event_id),
                entity: "feed".to_owned(),
                event_id: entry.event_id,
                event_type: entry.event_type,
                occurred_at: entry.occurred_at,
                data: serde_json::to_string(&entry.data).map_err(serialise_failed)?,
                ttl: epoch(entry.occurred_at + FEED_RETENTION),
            };
            out.push(put(table, to_item("feed event", &feed)?)?);
        }
    }
    Ok(out)
}

fn put(table: &Table, item: Item) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .put(table.put(item, None, Expr::new())?)
        .build())
}

/// The domain event inside a stream record's new image, if it is an outbox item. `Err`
/// for an outbox item that cannot be read (the relay reports it rather than skip it).
pub fn outbox_event(image: serde_dynamo::Item) -> Option<Result<DomainEvent, String>> {
    #[derive(Deserialize)]
    struct Image {
        PK: String,
        #[serde(default)]
        event: Option<String>,
    }
    let image: Image = serde_dynamo::from_item(image).ok()?;
    if !image.PK.starts_with(OUTBOX_PREFIX) {
        return None;
    }
    Some(match image.event {
        Some(json) => serde_json::from_str(&json).map_err(|e| format!("{}: {e}", image.PK)),
        None => Err(format!("{}: no event attribute", image.PK)),
    })
}

/// [`EventOutbox`] and [`EventFeed`] over the table.
#[derive(Debug, Clone)]
pub struct DynamoEventOutbox {
    table: Table,
}

impl DynamoEventOutbox {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl EventOutbox for DynamoEventOutbox {
    async fn append(&self, events: &[DomainEvent]) -> Result<(), StoreError> {
        let items = event_items(&self.table, events)?;
        for chunk in items.chunks(MAX_TX_ITEMS) {
            self.table.transact("outbox append", chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn acknowledge(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        let results: Vec<Result<bool, StoreError>> = stream::iter(event_ids.to_vec())
            .map(|id| async move {
                let delete = self
                    .table
                    .delete(key(outbox_pk(id), OUTBOX_SK), None, Expr::new())?;
                self.table.delete_if("outbox event", delete).await
            })
            .buffer_unordered(ACK_CONCURRENCY)
            .collect()
            .await;
        results.into_iter().try_for_each(|r| r.map(drop))
    }

    async fn oldest_pending(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        #[derive(Deserialize)]
        struct Pending {
            #[serde(with = "ts")]
            occurred_at: DateTime<Utc>,
        }
        let queries = (0..PENDING_PARTITIONS).map(|n| {
            self.table.query::<Pending>(
                "outbox pending",
                QuerySpec {
                    index: Some("GSI2"),
                    key_condition: "GSI2PK = :pk",
                    expr: Expr::new().s(":pk", pending_partition(n)),
                    forward: true,
                    limit: Some(1),
                },
            )
        });
        let mut heads = Vec::new();
        for items in futures::future::join_all(queries).await {
            heads.extend(items?.into_iter().map(|p| p.occurred_at));
        }
        Ok(heads.into_iter().min())
    }
}

#[async_trait]
impl EventFeed for DynamoEventOutbox {
    async fn read_after(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        // `EVENT#` + UUIDv7 sorts by time; "EVENT#" alone sorts before every event.
        let from = after.map_or_else(|| FEED_SK_PREFIX.to_owned(), feed_sk);
        let items: Vec<FeedItem> = self
            .table
            .query(
                "feed event",
                QuerySpec {
                    index: None,
                    key_condition: "PK = :pk AND SK > :from",
                    expr: Expr::new().s(":pk", feed_pk(user_id)).s(":from", from),
                    forward: true,
                    limit: Some(usize::try_from(limit).unwrap_or(usize::MAX)),
                },
            )
            .await?;
        items
            .into_iter()
            .map(|i| {
                Ok(FeedEntry {
                    event_id: i.event_id,
                    event_type: i.event_type,
                    occurred_at: i.occurred_at,
                    data: serde_json::from_str(&i.data).map_err(|_| {
                        StoreError::Unavailable("dynamodb: corrupt item (feed event)".into())
                    })?,
                })
            })
            .collect()
    }
}
