//! Token buckets in the table: one item per bucket holding its GCRA TAT, updated by a
//! single conditional UpdateItem — never read-then-write.
//!
//! `max(TAT, now) + T` is not expressible in an UpdateExpression, so the take is split
//! into two updates with disjoint conditions:
//!
//! - **idle** (`attribute_not_exists(tat) OR tat <= :now`): `SET tat = :now + T`;
//! - **busy** (`tat > :now AND tat <= :now + τ`): `SET tat = tat + T`.
//!
//! A failed condition returns the stored item (`ReturnValuesOnConditionCheckFailure =
//! ALL_OLD`), which says either "refused" (`tat > now + τ`, no second call) or "try the
//! other branch". The adapter remembers the last TAT it saw per bucket (a hint, never
//! trusted) to pick the likely branch first, so a take is usually one call.

use std::{collections::HashMap, sync::Mutex};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, Update};
use dashtam_domain::{
    StoreError,
    platform::{
        ports::RateLimitStore,
        rate_limit::{BucketKey, Decision, Limit},
    },
};

use super::{
    expr::Expr,
    keys::key,
    table::{Item, Table, Updated},
};

const SK: &str = "RATELIMIT";
/// Idle buckets stay this long past the moment they are full again, then TTL removes them.
const TTL_MARGIN_SECS: i64 = 60;
/// Branch switches before giving up (each needs another writer to have moved the TAT).
const ATTEMPTS: usize = 4;
/// Remembered TATs before the hint map is cleared.
const HINTS: usize = 4096;

/// [`RateLimitStore`] over DynamoDB: `RATELIMIT#<policy>#<subject>#<route>` / `RATELIMIT`,
/// attributes `tat` (epoch ms) and `ttl` (epoch s).
#[derive(Debug)]
pub struct DynamoRateLimits {
    table: Table,
    hints: Mutex<HashMap<String, i64>>,
}

/// What one conditional update answered.
enum Outcome {
    /// Written; the bucket's TAT is now this.
    Taken(i64),
    /// Condition failed; the stored TAT (None: no bucket).
    Stored(Option<i64>),
}

impl DynamoRateLimits {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self {
            table,
            hints: Mutex::new(HashMap::new()),
        }
    }

    fn hint(&self, pk: &str) -> Option<i64> {
        self.hints
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(pk)
            .copied()
    }

    fn remember(&self, pk: &str, tat: i64) {
        let mut hints = self.hints.lock().unwrap_or_else(|p| p.into_inner());
        if hints.len() >= HINTS {
            hints.clear();
        }
        hints.insert(pk.to_owned(), tat);
    }

    /// The bucket is absent or full: start it over at `now + T`.
    async fn take_idle(&self, pk: &str, limit: Limit, now: i64) -> Result<Outcome, StoreError> {
        let new_tat = now + limit.interval_ms();
        let update = self.table.update(
            key(pk.to_owned(), SK),
            "SET #tat = :tat, #ttl = :ttl, #entity = :entity",
            Some("attribute_not_exists(#tat) OR #tat <= :now"),
            Expr::new()
                .name("#tat", "tat")
                .name("#ttl", "ttl")
                .name("#entity", "entity")
                .n(":tat", new_tat)
                .n(":ttl", ttl(limit, now))
                .s(":entity", "rate_limit")
                .n(":now", now),
        )?;
        match self.update(update, ReturnValue::None).await? {
            Updated::Written(_) => Ok(Outcome::Taken(new_tat)),
            Updated::Refused(stored) => Ok(Outcome::Stored(tat_of(stored.as_ref())?)),
        }
    }

    /// The bucket holds tokens but is not full: move its TAT on by `T`.
    async fn take_busy(&self, pk: &str, limit: Limit, now: i64) -> Result<Outcome, StoreError> {
        let update = self.table.update(
            key(pk.to_owned(), SK),
            "SET #tat = #tat + :interval, #ttl = :ttl",
            Some("#tat > :now AND #tat <= :limit"),
            Expr::new()
                .name("#tat", "tat")
                .name("#ttl", "ttl")
                .n(":interval", limit.interval_ms())
                .n(":ttl", ttl(limit, now))
                .n(":now", now)
                .n(":limit", limit.admit_limit(now)),
        )?;
        match self.update(update, ReturnValue::UpdatedNew).await? {
            Updated::Written(new) => match tat_of(new.as_ref())? {
                Some(tat) => Ok(Outcome::Taken(tat)),
                None => Err(StoreError::Unavailable(
                    "dynamodb UpdateItem (rate limit): no tat returned".into(),
                )),
            },
            Updated::Refused(stored) => Ok(Outcome::Stored(tat_of(stored.as_ref())?)),
        }
    }

    async fn update(&self, update: Update, returning: ReturnValue) -> Result<Updated, StoreError> {
        self.table
            .update_returning("rate limit", update, returning)
            .await
    }
}

#[async_trait]
impl RateLimitStore for DynamoRateLimits {
    async fn take(
        &self,
        key: &BucketKey,
        limit: Limit,
        now_ms: i64,
    ) -> Result<Decision, StoreError> {
        let pk = format!("RATELIMIT#{key}");
        let mut idle = self.hint(&pk).is_none_or(|tat| tat <= now_ms);
        for _ in 0..ATTEMPTS {
            let outcome = if idle {
                self.take_idle(&pk, limit, now_ms).await?
            } else {
                self.take_busy(&pk, limit, now_ms).await?
            };
            match outcome {
                Outcome::Taken(tat) => {
                    self.remember(&pk, tat);
                    return Ok(limit.allowed(tat, now_ms));
                }
                Outcome::Stored(Some(tat)) if tat > limit.admit_limit(now_ms) => {
                    self.remember(&pk, tat);
                    return Ok(limit.denied(tat, now_ms));
                }
                // Not refused, just the other branch: tokens left (busy) or full (idle).
                Outcome::Stored(tat) => idle = tat.is_none_or(|tat| tat <= now_ms),
            }
        }
        Err(StoreError::Unavailable(
            "dynamodb UpdateItem (rate limit): bucket kept changing".into(),
        ))
    }
}

/// Past `now + burst·T` the bucket is full whatever happened; a minute later it may go.
fn ttl(limit: Limit, now: i64) -> i64 {
    (now + limit.tolerance_ms() + limit.interval_ms()) / 1000 + 1 + TTL_MARGIN_SECS
}

fn tat_of(item: Option<&Item>) -> Result<Option<i64>, StoreError> {
    match item.and_then(|i| i.get("tat")) {
        None => Ok(None),
        Some(AttributeValue::N(v)) => v.parse().map(Some).map_err(|_| corrupt()),
        Some(_) => Err(corrupt()),
    }
}

fn corrupt() -> StoreError {
    StoreError::Unavailable("dynamodb: corrupt item (rate limit)".into())
}
