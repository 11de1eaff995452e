use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    entities::{OneTimeToken, OneTimeTokenKind, User},
    events::DomainEvent,
    ports::OneTimeTokenRepository,
    value_objects::TokenHash,
};

use super::{
    items::{OneTimeTokenItem, one_time_keys, ts},
    table::{Expr, Table, key, to_item},
    users::save_user_put,
};

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
            Err(StoreError::Conflict("user"))
        } else if failed.contains(&0) {
            Err(StoreError::AlreadyExists("token"))
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
            Err(StoreError::Conflict("token"))
        } else if failed.contains(&1) {
            Err(StoreError::Conflict("user"))
        } else {
            Ok(())
        }
    }
}
