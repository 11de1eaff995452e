//! Sync guards: `USER#<uid>` / `SYNCCLAIM#<key>` with `claimed_at`. A claim is one
//! conditional PutItem, so of two concurrent claims within the interval one wins.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{StoreError, providers::SyncClaims};
use serde::Serialize;
use uuid::Uuid;

use super::{
    expr::Expr,
    keys::{sync_claim_sk, user_pk},
    table::{Table, to_item},
    ts::{self, epoch},
};

/// A claim item outlives its interval by this much before TTL may remove it (it means
/// nothing once the interval is over; the condition compares `claimed_at` anyway).
const CLAIM_RETENTION: Duration = Duration::hours(1);

#[derive(Debug, Clone)]
pub struct DynamoSyncClaims {
    table: Table,
}

impl DynamoSyncClaims {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl SyncClaims for DynamoSyncClaims {
    async fn claim(
        &self,
        user_id: Uuid,
        key: &str,
        now: DateTime<Utc>,
        min_interval: Duration,
        force: bool,
    ) -> Result<bool, StoreError> {
        let item = to_item(
            "sync claim",
            &SyncClaimItem {
                PK: user_pk(user_id),
                SK: sync_claim_sk(key),
                entity: "sync_claim".to_owned(),
                claim: key.to_owned(),
                claimed_at: now,
                ttl: epoch(now + min_interval + CLAIM_RETENTION),
            },
        )?;
        let put = if force {
            self.table.put(item, None, Expr::new())?
        } else {
            self.table.put(
                item,
                Some("attribute_not_exists(PK) OR #at <= :cutoff"),
                Expr::new()
                    .name("#at", "claimed_at")
                    .s(":cutoff", ts::format(now - min_interval)),
            )?
        };
        self.table.put_if("sync claim", put).await
    }

    /// Deletes the claim only if it is still the one made at `claimed_at`.
    async fn release(
        &self,
        user_id: Uuid,
        key: &str,
        claimed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let delete = self.table.delete(
            super::keys::key(user_pk(user_id), &sync_claim_sk(key)),
            Some("#at = :mine"),
            Expr::new()
                .name("#at", "claimed_at")
                .s(":mine", ts::format(claimed_at)),
        )?;
        // A failed condition means a newer claim (or none): nothing of ours to release.
        self.table.delete_if("sync claim", delete).await.map(|_| ())
    }
}

#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
struct SyncClaimItem {
    PK: String,
    SK: String,
    entity: String,
    claim: String,
    #[serde(with = "ts")]
    claimed_at: DateTime<Utc>,
    ttl: i64,
}
