//! Provider connections: `USER#<uid>` / `CONNECTION#<cid>` (a user's connections are one
//! Query, oldest first: ids are UUIDv7), indexed by `GSI1PK = CONNECTION#<cid>` so
//! `owner_of` finds the owner from the id alone, and — while scheduled work considers
//! them (active, expired, revoked, failed) — by `GSI2PK = SCHEDCONN#<n>` (four index
//! partitions by the id's random tail) so the scheduled jobs find them without a Scan.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::DomainEvent,
    providers::{
        ConnectionRepository, ConnectionStatus, ProviderConnection, ProviderSlug, SealedCredentials,
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::{Expr, QuerySpec},
    item::Blob,
    keys::{CONNECTION_GSI1SK, CONNECTION_SK_PREFIX, connection_gsi1pk, connection_sk, user_pk},
    owner::owner_by_gsi1,
    table::{Table, to_item},
    ts,
};

#[derive(Debug, Clone)]
pub struct DynamoConnectionRepository {
    table: Table,
}

impl DynamoConnectionRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

/// The Put that saves `connection` over the copy it was read at (`version` + 1).
pub(crate) fn save_connection_put(
    table: &Table,
    connection: &ProviderConnection,
) -> Result<aws_sdk_dynamodb::types::Put, StoreError> {
    table.put(
        to_item("connection", &ConnectionItem::new(connection))?,
        Some("attribute_exists(PK) AND #v = :expected"),
        Expr::new()
            .name("#v", "version")
            .n(":expected", connection.version),
    )
}

#[async_trait]
impl ConnectionRepository for DynamoConnectionRepository {
    async fn create(
        &self,
        connection: &ProviderConnection,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let put = self.table.put(
            to_item("connection", &ConnectionItem::new(connection))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        if self
            .table
            .put_with_events("connection", put, events)
            .await?
        {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(Existing::Connection))
        }
    }

    async fn save(
        &self,
        connection: &ProviderConnection,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let put = save_connection_put(&self.table, connection)?;
        if self
            .table
            .put_with_events("connection", put, events)
            .await?
        {
            Ok(())
        } else {
            Err(StoreError::Conflict(Conflict::StaleConnection))
        }
    }

    async fn find(
        &self,
        user_id: Uuid,
        connection_id: Uuid,
    ) -> Result<Option<ProviderConnection>, StoreError> {
        Ok(self
            .table
            .get::<ConnectionItem>(
                "connection",
                user_pk(user_id),
                &connection_sk(connection_id),
            )
            .await?
            .map(ConnectionItem::into_connection))
    }

    async fn owner_of(&self, connection_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        owner_by_gsi1(
            &self.table,
            "connection owner",
            connection_gsi1pk(connection_id),
            CONNECTION_GSI1SK,
        )
        .await
    }

    /// One GSI2 Query per index partition (all pages; 1 MB of items per page), the four
    /// in parallel. Eventually consistent: a connection saved a moment ago may show its
    /// previous state for that moment (the jobs re-read what they act on).
    async fn list_scheduled(&self) -> Result<Vec<ProviderConnection>, StoreError> {
        let shards = (0..SCHEDULED_PARTITIONS).map(|n| {
            self.table.query::<ConnectionItem>(
                "scheduled connections",
                QuerySpec {
                    index: Some("GSI2"),
                    key_condition: "GSI2PK = :pk",
                    expr: Expr::new().s(":pk", scheduled_partition(n)),
                    forward: true,
                    limit: None,
                },
            )
        });
        let pages = futures::future::try_join_all(shards).await?;
        Ok(pages
            .into_iter()
            .flatten()
            .map(ConnectionItem::into_connection)
            .collect())
    }

    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<ProviderConnection>, StoreError> {
        let items: Vec<ConnectionItem> = self
            .table
            .query(
                "connection",
                QuerySpec {
                    index: None,
                    key_condition: "PK = :pk AND begins_with(SK, :prefix)",
                    expr: Expr::new()
                        .s(":pk", user_pk(user_id))
                        .s(":prefix", CONNECTION_SK_PREFIX),
                    forward: true,
                    limit: None,
                },
            )
            .await?;
        Ok(items
            .into_iter()
            .map(ConnectionItem::into_connection)
            .collect())
    }
}

/// Index partitions of the scheduled connections: a round's Queries run in parallel and
/// no one partition takes every connection's writes.
const SCHEDULED_PARTITIONS: u8 = 4;

fn scheduled_partition(n: u8) -> String {
    format!("SCHEDCONN#{n}")
}

/// The connection's GSI2 key while scheduled work considers it: pending connections have
/// nothing to sync yet, disconnected ones never will again.
fn scheduled_keys(c: &ProviderConnection) -> (Option<String>, Option<String>) {
    use ConnectionStatus::*;
    if matches!(c.status, Pending | Disconnected) {
        return (None, None);
    }
    let tail = c.id.as_bytes()[15];
    (
        Some(scheduled_partition(tail % SCHEDULED_PARTITIONS)),
        Some(c.id.to_string()),
    )
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct ConnectionItem {
    PK: String,
    SK: String,
    GSI1PK: String,
    GSI1SK: String,
    /// `SCHEDCONN#<n>` / `<connection id>`, absent for pending and disconnected ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    GSI2PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    GSI2SK: Option<String>,
    entity: String,
    id: Uuid,
    user_id: Uuid,
    provider_slug: ProviderSlug,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    status: ConnectionStatus,
    /// The sealed blob as Binary; absent once erased (never NULL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credentials: Option<Blob>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    access_expires_at: Option<DateTime<Utc>>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    connected_at: Option<DateTime<Utc>>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    last_sync_at: Option<DateTime<Utc>>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    grant_expiry_notified_at: Option<DateTime<Utc>>,
    #[serde(with = "ts")]
    created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    updated_at: DateTime<Utc>,
    version: u64,
}

impl ConnectionItem {
    /// The item as stored after a write of `c` (`version` + 1).
    fn new(c: &ProviderConnection) -> Self {
        let (gsi2pk, gsi2sk) = scheduled_keys(c);
        Self {
            PK: user_pk(c.user_id),
            SK: connection_sk(c.id),
            GSI1PK: connection_gsi1pk(c.id),
            GSI1SK: CONNECTION_GSI1SK.to_owned(),
            GSI2PK: gsi2pk,
            GSI2SK: gsi2sk,
            entity: "connection".to_owned(),
            id: c.id,
            user_id: c.user_id,
            provider_slug: c.provider_slug,
            alias: c.alias.clone(),
            status: c.status,
            credentials: c.credentials.as_ref().map(|s| Blob(s.0.clone())),
            access_expires_at: c.access_expires_at,
            refresh_expires_at: c.refresh_expires_at,
            connected_at: c.connected_at,
            last_sync_at: c.last_sync_at,
            grant_expiry_notified_at: c.grant_expiry_notified_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version.saturating_add(1),
        }
    }

    fn into_connection(self) -> ProviderConnection {
        ProviderConnection {
            id: self.id,
            user_id: self.user_id,
            provider_slug: self.provider_slug,
            alias: self.alias,
            status: self.status,
            credentials: self.credentials.map(|b| SealedCredentials(b.0)),
            access_expires_at: self.access_expires_at,
            refresh_expires_at: self.refresh_expires_at,
            connected_at: self.connected_at,
            last_sync_at: self.last_sync_at,
            grant_expiry_notified_at: self.grant_expiry_notified_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}
