//! Holdings: `USER#<uid>` / `HOLDING#<aid>#<provider holding id>`, so a user's holdings
//! and one account's are each one Query, and the key itself makes a holding unique per
//! `(account, provider holding id)`.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    portfolio::{AssetType, Currency, Holding, HoldingRepository, HoldingsSyncWrite},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{
    accounts::save_account_update,
    chunks::{Group, commit_chunked},
    expr::{Expr, QuerySpec},
    item::json_text,
    keys::{HOLDING_SK_PREFIX, holding_prefix, holding_sk, user_pk},
    snapshots::snapshot_put,
    table::{Table, to_item},
    ts,
};

#[derive(Debug, Clone)]
pub struct DynamoHoldingRepository {
    table: Table,
}

impl DynamoHoldingRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }

    async fn list(&self, user_id: Uuid, prefix: String) -> Result<Vec<Holding>, StoreError> {
        let items: Vec<HoldingItem> = self
            .table
            .query(
                "holding",
                QuerySpec {
                    index: None,
                    key_condition: "PK = :pk AND begins_with(SK, :prefix)",
                    expr: Expr::new().s(":pk", user_pk(user_id)).s(":prefix", prefix),
                    forward: true,
                    limit: None,
                },
            )
            .await?;
        Ok(items.into_iter().map(HoldingItem::into_holding).collect())
    }

    fn create(&self, h: &Holding) -> Result<Put, StoreError> {
        self.table.put(
            to_item("holding", &HoldingItem::new(h))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )
    }

    fn save(&self, h: &Holding) -> Result<Put, StoreError> {
        self.table.put(
            to_item("holding", &HoldingItem::new(h))?,
            Some("attribute_exists(PK) AND #v = :expected"),
            Expr::new().name("#v", "version").n(":expected", h.version),
        )
    }
}

#[async_trait]
impl HoldingRepository for DynamoHoldingRepository {
    /// Ordered by account, then provider holding id.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Holding>, StoreError> {
        self.list(user_id, HOLDING_SK_PREFIX.to_owned()).await
    }

    async fn list_for_account(
        &self,
        user_id: Uuid,
        account_id: Uuid,
    ) -> Result<Vec<Holding>, StoreError> {
        self.list(user_id, holding_prefix(account_id)).await
    }

    /// Request order: creates, updates, the snapshot, then the account and the events;
    /// split beyond 100 actions like an account sync (the account and events last).
    async fn commit_sync(&self, write: HoldingsSyncWrite<'_>) -> Result<(), StoreError> {
        let tx = |put: Put| TransactWriteItem::builder().put(put).build();
        let mut body = Vec::new();
        for h in write.created {
            body.push(Group::one(
                tx(self.create(h)?),
                StoreError::AlreadyExists(Existing::Holding),
            ));
        }
        for h in write.updated {
            body.push(Group::one(
                tx(self.save(h)?),
                StoreError::Conflict(Conflict::StaleHolding),
            ));
        }
        body.push(Group::one(
            tx(snapshot_put(&self.table, write.snapshot)?),
            StoreError::Unavailable("dynamodb: snapshot write failed".to_owned()),
        ));
        let tail = vec![Group::one(
            TransactWriteItem::builder()
                .update(save_account_update(&self.table, write.account)?)
                .build(),
            StoreError::Conflict(Conflict::StaleAccount),
        )];
        commit_chunked(&self.table, "holdings sync", body, tail, write.events).await
    }
}

/// Quantities and money as DynamoDB strings (exact `Decimal`s).
#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct HoldingItem {
    PK: String,
    SK: String,
    entity: String,
    id: Uuid,
    user_id: Uuid,
    account_id: Uuid,
    provider_holding_id: String,
    symbol: String,
    security_name: String,
    asset_type: AssetType,
    quantity: Decimal,
    cost_basis: Decimal,
    market_value: Decimal,
    currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    average_price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current_price: Option<Decimal>,
    is_active: bool,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    last_synced_at: Option<DateTime<Utc>>,
    #[serde(with = "json_text")]
    provider_metadata: Value,
    #[serde(with = "ts")]
    created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    updated_at: DateTime<Utc>,
    version: u64,
}

impl HoldingItem {
    /// The item as stored after a write of `h` (`version` + 1).
    fn new(h: &Holding) -> Self {
        Self {
            PK: user_pk(h.user_id),
            SK: holding_sk(h.account_id, &h.provider_holding_id),
            entity: "holding".to_owned(),
            id: h.id,
            user_id: h.user_id,
            account_id: h.account_id,
            provider_holding_id: h.provider_holding_id.clone(),
            symbol: h.symbol.clone(),
            security_name: h.security_name.clone(),
            asset_type: h.asset_type,
            quantity: h.quantity,
            cost_basis: h.cost_basis,
            market_value: h.market_value,
            currency: h.currency,
            average_price: h.average_price,
            current_price: h.current_price,
            is_active: h.is_active,
            last_synced_at: h.last_synced_at,
            provider_metadata: h.provider_metadata.clone(),
            created_at: h.created_at,
            updated_at: h.updated_at,
            version: h.version.saturating_add(1),
        }
    }

    fn into_holding(self) -> Holding {
        Holding {
            id: self.id,
            user_id: self.user_id,
            account_id: self.account_id,
            provider_holding_id: self.provider_holding_id,
            symbol: self.symbol,
            security_name: self.security_name,
            asset_type: self.asset_type,
            quantity: self.quantity,
            cost_basis: self.cost_basis,
            market_value: self.market_value,
            currency: self.currency,
            average_price: self.average_price,
            current_price: self.current_price,
            is_active: self.is_active,
            last_synced_at: self.last_synced_at,
            provider_metadata: self.provider_metadata,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}
