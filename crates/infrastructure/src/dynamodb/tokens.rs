use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        ports::OneTimeTokenRepository,
        value_objects::TokenHash,
    },
    platform::events::DomainEvent,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::Expr,
    keys::{TOKEN_EXPIRY_PREFIX, hour_bucket, key, one_time_keys},
    table::{Table, to_item},
    ts::{self, epoch},
    users::save_user_put,
};

/// How long a refresh or one-time token outlives its expiry before TTL removes it, so that
/// presenting it again is still recognised (reuse detection) rather than "unknown".
pub(crate) const TOKEN_RETENTION: Duration = Duration::days(1);

/// Email-verification (`VERIFY#<hash>` / `VERIFY`) and password-reset (`RESET#<hash>` /
/// `RESET`) tokens. `find` returns used and expired tokens too; the caller decides.
#[derive(Debug, Clone)]
pub struct DynamoOneTimeTokenRepository {
    table: Table,
}

impl DynamoOneTimeTokenRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl OneTimeTokenRepository for DynamoOneTimeTokenRepository {
    async fn find(
        &self,
        kind: OneTimeTokenKind,
        hash: &TokenHash,
    ) -> Result<Option<OneTimeToken>, StoreError> {
        let (pk, sk) = one_time_keys(kind, hash);
        let item = self
            .table
            .get::<OneTimeTokenItem>("one-time token", pk, sk)
            .await?;
        match item {
            Some(i) if i.kind != kind => Err(StoreError::Unavailable(
                "dynamodb: corrupt item (one-time token kind)".to_owned(),
            )),
            other => Ok(other.map(OneTimeTokenItem::into_token)),
        }
    }

    async fn issue(
        &self,
        token: &OneTimeToken,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let t = &self.table;
        let item = to_item("one-time token", &OneTimeTokenItem::new(token))?;
        let items = vec![
            TransactWriteItem::builder()
                .put(t.put(item, Some("attribute_not_exists(PK)"), Expr::new())?)
                .build(),
            TransactWriteItem::builder()
                .put(save_user_put(t, user)?)
                .build(),
        ];
        let failed = t
            .commit("issue one-time token", items, events)
            .await?
            .failed();
        if failed.contains(&1) {
            Err(StoreError::Conflict(Conflict::StaleUser))
        } else if failed.contains(&0) {
            Err(StoreError::AlreadyExists(Existing::Token))
        } else {
            Ok(())
        }
    }

    async fn redeem(
        &self,
        token: &OneTimeToken,
        used_at: DateTime<Utc>,
        user: &User,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let t = &self.table;
        let (pk, sk) = one_time_keys(token.kind, &token.hash);
        let mark_used = t.update(
            key(pk, sk),
            "SET #used = :at",
            Some("attribute_exists(PK) AND attribute_not_exists(#used)"),
            Expr::new()
                .name("#used", "used_at")
                .s(":at", ts::format(used_at)),
        )?;
        let items = vec![
            TransactWriteItem::builder().update(mark_used).build(),
            TransactWriteItem::builder()
                .put(save_user_put(t, user)?)
                .build(),
        ];
        let failed = t
            .commit("redeem one-time token", items, events)
            .await?
            .failed();
        if failed.contains(&0) {
            Err(StoreError::Conflict(Conflict::TokenUsed))
        } else if failed.contains(&1) {
            Err(StoreError::Conflict(Conflict::StaleUser))
        } else {
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Stored shape
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct OneTimeTokenItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    /// `EXPIRY#<hour its retention ends>` / `<that instant>#<PK>`, for the cleanup job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2SK: Option<String>,
    pub hash: TokenHash,
    pub kind: OneTimeTokenKind,
    pub user_id: Uuid,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub used_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl OneTimeTokenItem {
    pub(crate) fn new(t: &OneTimeToken) -> Self {
        let (pk, sk) = one_time_keys(t.kind, &t.hash);
        let purge_at = t.expires_at + TOKEN_RETENTION;
        Self {
            GSI2PK: Some(hour_bucket(TOKEN_EXPIRY_PREFIX, purge_at)),
            GSI2SK: Some(format!("{}#{pk}", ts::format(purge_at))),
            PK: pk,
            SK: sk.to_owned(),
            entity: "one_time_token".to_owned(),
            hash: t.hash.clone(),
            kind: t.kind,
            user_id: t.user_id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            used_at: t.used_at,
            ttl: epoch(t.expires_at + TOKEN_RETENTION),
        }
    }

    pub(crate) fn into_token(self) -> OneTimeToken {
        OneTimeToken {
            hash: self.hash,
            kind: self.kind,
            user_id: self.user_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            used_at: self.used_at,
        }
    }
}
