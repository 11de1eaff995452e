use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use dashtam_core::{Clock, SystemClock};
use dashtam_domain::{StoreError, platform::ports::ProcessedEvents};
use uuid::Uuid;

use serde::{Deserialize, Serialize};

use super::{
    expr::Expr,
    keys::{PROCESSED_SK, key, processed_pk},
    table::{Table, to_item},
    ts::{self, epoch},
};

/// How long a processed-event claim is remembered.
const PROCESSED_RETENTION: Duration = Duration::days(7);

/// Idempotency claims: `PROCESSED#<consumer>#<event id>` / `PROCESSED`, with `status`
/// `claimed` (plus `lease_until`) or `done`. Items expire through TTL about a week after
/// their last change, well beyond any redelivery window.
#[derive(Clone)]
pub struct DynamoProcessedEvents {
    table: Table,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DynamoProcessedEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoProcessedEvents")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoProcessedEvents {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self {
            table,
            clock: Arc::new(SystemClock),
        }
    }

    /// The clock that decides whether a lease has run out (system clock by default).
    /// Tests only (`testing` feature).
    #[cfg(any(test, feature = "testing"))]
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

#[async_trait]
impl ProcessedEvents for DynamoProcessedEvents {
    /// One conditional PutItem: it takes the item if there is none, or if it is a claim
    /// whose lease ran out; a `done` item or a live lease makes the condition fail.
    async fn claim(
        &self,
        consumer: &str,
        event_id: Uuid,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let item = ProcessedItem {
            PK: processed_pk(consumer, event_id),
            SK: PROCESSED_SK.to_owned(),
            entity: "processed_event".to_owned(),
            consumer: consumer.to_owned(),
            event_id,
            status: STATUS_CLAIMED.to_owned(),
            lease_until: Some(lease_until),
            updated_at: now,
            ttl: epoch(lease_until.max(now) + PROCESSED_RETENTION),
        };
        let put = self.table.put(
            to_item("processed event", &item)?,
            Some("attribute_not_exists(PK) OR (#s = :claimed AND #lease < :now)"),
            Expr::new()
                .name("#s", "status")
                .name("#lease", "lease_until")
                .s(":claimed", STATUS_CLAIMED)
                .s(":now", ts::format(now)),
        )?;
        self.table.put_if("processed event", put).await
    }

    /// Unconditional upsert to `done`: the side effect happened, whoever held the lease.
    async fn complete(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let now = self.clock.now();
        let update = self.table.update(
            key(processed_pk(consumer, event_id), PROCESSED_SK),
            "SET #s = :done, #entity = :entity, #consumer = :consumer, #event = :event, #upd = :now, #ttl = :ttl REMOVE #lease",
            None,
            Expr::new()
                .name("#s", "status")
                .name("#entity", "entity")
                .name("#consumer", "consumer")
                .name("#event", "event_id")
                .name("#upd", "updated_at")
                .name("#ttl", "ttl")
                .name("#lease", "lease_until")
                .s(":done", STATUS_DONE)
                .s(":entity", "processed_event")
                .s(":consumer", consumer)
                .s(":event", event_id.to_string())
                .s(":now", ts::format(now))
                .n(":ttl", epoch(now + PROCESSED_RETENTION)),
        )?;
        self.table
            .update_if("processed event", update)
            .await
            .map(|_| ())
    }

    /// Deletes the claim only while it is still `claimed`; a `done` item stays.
    async fn release(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let delete = self.table.delete(
            key(processed_pk(consumer, event_id), PROCESSED_SK),
            Some("#s = :claimed"),
            Expr::new()
                .name("#s", "status")
                .s(":claimed", STATUS_CLAIMED),
        )?;
        self.table
            .delete_if("processed event", delete)
            .await
            .map(|_| ())
    }
}

pub(crate) const STATUS_CLAIMED: &str = "claimed";
pub(crate) const STATUS_DONE: &str = "done";

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct ProcessedItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub consumer: String,
    pub event_id: Uuid,
    pub status: String,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub ttl: i64,
}
