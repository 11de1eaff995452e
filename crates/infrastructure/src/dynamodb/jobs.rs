use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    identity::{entities::Session, ports::SessionExpiryNotices},
    platform::{
        entities::{Job, JobRun},
        events::DomainEvent,
        ports::{ExpiredItems, JobRuns, ONE_TIME_TOKEN_RETENTION, PurgeCounts},
    },
};
use futures::{StreamExt, stream};
use uuid::Uuid;

use std::collections::BTreeMap;

use dashtam_domain::platform::entities::JobOutcome;
use serde::{Deserialize, Serialize};

use super::{
    expr::{Expr, QuerySpec},
    keys::{
        JOB_RUN_SK, SESSION_EXPIRY_PREFIX, TOKEN_EXPIRY_PREFIX, hour_bucket, job_pk, key,
        session_sk, user_pk,
    },
    sessions::SessionItem,
    table::{Table, to_item},
    ts,
};

/// Conditional deletes in flight during a purge.
const DELETE_CONCURRENCY: usize = 8;

/// The scheduled jobs' storage: last runs (`JOB#<job>` / `LASTRUN`), expiry notices on
/// session items, and purges of expired items found through GSI2's hour buckets
/// (`SESSIONEXP#<hour>` for sessions, `EXPIRY#<hour>` for one-time tokens) — a handful of
/// Query calls per run, never a Scan.
#[derive(Debug, Clone)]
pub struct DynamoJobStore {
    table: Table,
}

impl DynamoJobStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }

    /// Items of the buckets `prefix<hour>` for every hour in `[from, to]`, with
    /// `lo <= GSI2SK <= hi`.
    async fn query_buckets<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        prefix: &str,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        (lo, hi): (String, String),
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for hour in hours(from, to) {
            let mut items: Vec<T> = self
                .table
                .query(
                    what,
                    QuerySpec {
                        index: Some("GSI2"),
                        key_condition: "GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
                        expr: Expr::new()
                            .s(":pk", hour_bucket(prefix, hour))
                            .s(":lo", lo.clone())
                            .s(":hi", hi.clone()),
                        forward: true,
                        limit: None,
                    },
                )
                .await?;
            out.append(&mut items);
        }
        Ok(out)
    }

    /// Deletes every item of `keys` whose `expires_at` is before `cutoff`; counts them.
    async fn delete_expired(
        &self,
        what: &'static str,
        keys: Vec<KeyOnly>,
        cutoff: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let cutoff = ts::format(cutoff);
        let results: Vec<Result<bool, StoreError>> = stream::iter(keys)
            .map(|k| {
                let cutoff = cutoff.clone();
                async move {
                    let delete = self.table.delete(
                        key(k.PK, &k.SK),
                        Some("#exp < :cutoff"),
                        Expr::new().name("#exp", "expires_at").s(":cutoff", cutoff),
                    )?;
                    self.table.delete_if(what, delete).await
                }
            })
            .buffer_unordered(DELETE_CONCURRENCY)
            .collect()
            .await;
        let mut deleted = 0;
        for r in results {
            if r? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

/// The start of every UTC hour from `from`'s to `to`'s, inclusive.
fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> {
    let first = from.timestamp().div_euclid(3600);
    let last = to.timestamp().div_euclid(3600);
    (first..=last).filter_map(|h| DateTime::from_timestamp(h * 3600, 0))
}

/// Sorts after every `<timestamp>#<id>` sort key that starts with the same timestamp.
const SK_END: &str = "#\u{10FFFF}";

#[async_trait]
impl JobRuns for DynamoJobStore {
    /// PutItem, unless a run that started later is already recorded.
    async fn record(&self, run: &JobRun) -> Result<(), StoreError> {
        let put = self.table.put(
            to_item("job run", &JobRunItem::new(run))?,
            Some("attribute_not_exists(PK) OR #started <= :started"),
            Expr::new()
                .name("#started", "started_at")
                .s(":started", ts::format(run.started_at)),
        )?;
        // A failed condition means a later run is recorded already: nothing to do.
        self.table.put_if("job run", put).await.map(|_| ())
    }

    async fn last(&self, job: Job) -> Result<Option<JobRun>, StoreError> {
        Ok(self
            .table
            .get::<JobRunItem>("job run", job_pk(job.as_str()), JOB_RUN_SK)
            .await?
            .map(JobRunItem::into_run))
    }
}

#[async_trait]
impl SessionExpiryNotices for DynamoJobStore {
    async fn due_for_notice(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        let items: Vec<SessionItem> = self
            .query_buckets(
                "session",
                SESSION_EXPIRY_PREFIX,
                (after, until),
                (ts::format(after), format!("{}{SK_END}", ts::format(until))),
            )
            .await?;
        Ok(items
            .into_iter()
            .filter(|i| i.expires_at > after && i.expires_at <= until)
            .filter(|i| i.revoked_at.is_none() && i.expiry_notice_at.is_none())
            .map(SessionItem::into_session)
            .collect())
    }

    /// One conditional UpdateItem: the first run to get here sets `expiry_notice_at`.
    async fn mark_notified(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        let update = self.table.update(
            key(user_pk(user_id), &session_sk(session_id)),
            "SET #notice = :at",
            Some(
                "attribute_exists(PK) AND attribute_not_exists(#ra) \
                 AND attribute_not_exists(#notice) AND #exp > :at",
            ),
            Expr::new()
                .name("#notice", "expiry_notice_at")
                .name("#ra", "revoked_at")
                .name("#exp", "expires_at")
                .s(":at", ts::format(at)),
        )?;
        self.table
            .update_with_events("session", update, events)
            .await
    }
}

#[async_trait]
impl ExpiredItems for DynamoJobStore {
    async fn purge(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeCounts, StoreError> {
        // Sort keys start with the instant the item's retention ends; only those before
        // `now` are read, and each delete re-checks `expires_at` on the item itself.
        let window = (since, now);
        let range = (ts::format(since), ts::format(now));
        let sessions: Vec<KeyOnly> = self
            .query_buckets("session", SESSION_EXPIRY_PREFIX, window, range.clone())
            .await?;
        let tokens: Vec<KeyOnly> = self
            .query_buckets("one-time token", TOKEN_EXPIRY_PREFIX, window, range)
            .await?;
        Ok(PurgeCounts {
            sessions: self.delete_expired("session", sessions, now).await?,
            one_time_tokens: self
                .delete_expired("one-time token", tokens, now - ONE_TIME_TOKEN_RETENTION)
                .await?,
        })
    }
}

/// `JOB#<job>` / `LASTRUN`: the last recorded run of a scheduled job.
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct JobRunItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub job: Job,
    #[serde(with = "ts")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub finished_at: DateTime<Utc>,
    pub outcome: JobOutcome,
    pub counts: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl JobRunItem {
    pub(crate) fn new(r: &JobRun) -> Self {
        Self {
            PK: job_pk(r.job.as_str()),
            SK: JOB_RUN_SK.to_owned(),
            entity: "job_run".to_owned(),
            job: r.job,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome,
            counts: r.counts.clone(),
            error: r.error.clone(),
        }
    }

    pub(crate) fn into_run(self) -> JobRun {
        JobRun {
            job: self.job,
            started_at: self.started_at,
            finished_at: self.finished_at,
            outcome: self.outcome,
            counts: self.counts,
            error: self.error,
        }
    }
}

/// Only the key of an item, for deletes found through an index.
#[derive(Debug, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct KeyOnly {
    pub PK: String,
    pub SK: String,
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::dynamodb::tokens::TOKEN_RETENTION;

    #[test]
    fn retention_matches_the_domain() {
        assert_eq!(TOKEN_RETENTION, ONE_TIME_TOKEN_RETENTION);
    }

    #[test]
    fn hours_cover_both_ends() {
        let from = DateTime::parse_from_rfc3339("2025-01-01T22:59:59Z")
            .unwrap()
            .to_utc();
        let to = from + Duration::minutes(61);
        let buckets: Vec<String> = hours(from, to).map(|h| hour_bucket("X#", h)).collect();
        assert_eq!(
            buckets,
            ["X#2025-01-01T22", "X#2025-01-01T23", "X#2025-01-02T00"]
        );
        assert_eq!(hours(to, from).count(), 0);
    }
}
