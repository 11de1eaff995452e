use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, StoreError,
    identity::{entities::SecurityConfig, ports::SecurityConfigRepository},
    platform::events::DomainEvent,
};
use serde::{Deserialize, Serialize};

use super::{
    expr::Expr,
    keys::{CONFIG_PK, CONFIG_SK},
    table::{Table, to_item},
    ts,
};

/// The single global security config item (`CONFIG` / `SECURITY`), optimistically locked.
#[derive(Debug, Clone)]
pub struct DynamoSecurityConfigRepository {
    table: Table,
}

impl DynamoSecurityConfigRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl SecurityConfigRepository for DynamoSecurityConfigRepository {
    async fn get(&self) -> Result<SecurityConfig, StoreError> {
        Ok(self
            .table
            .get::<SecurityConfigItem>("security config", CONFIG_PK.to_owned(), CONFIG_SK)
            .await?
            .map(SecurityConfigItem::into_config)
            .unwrap_or_default())
    }

    async fn save(
        &self,
        config: &SecurityConfig,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let item = to_item(
            "security config",
            &SecurityConfigItem::new(config, config.version.saturating_add(1)),
        )?;
        // Version 0 is the default that was never stored: creating it must not overwrite
        // one stored meanwhile.
        let put = if config.version == 0 {
            self.table
                .put(item, Some("attribute_not_exists(PK)"), Expr::new())?
        } else {
            self.table.put(
                item,
                Some("attribute_exists(PK) AND #v = :expected"),
                Expr::new()
                    .name("#v", "version")
                    .n(":expected", config.version),
            )?
        };
        if self
            .table
            .put_with_events("security config", put, events)
            .await?
        {
            Ok(())
        } else {
            Err(StoreError::Conflict(Conflict::StaleSecurityConfig))
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct SecurityConfigItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub global_min_token_version: u64,
    pub grace_period_seconds: u64,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub last_rotation_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation_reason: Option<String>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub version: u64,
}

impl SecurityConfigItem {
    pub(crate) fn new(c: &SecurityConfig, version: u64) -> Self {
        Self {
            PK: CONFIG_PK.to_owned(),
            SK: CONFIG_SK.to_owned(),
            entity: "security_config".to_owned(),
            global_min_token_version: c.global_min_token_version,
            grace_period_seconds: c.grace_period_seconds,
            last_rotation_at: c.last_rotation_at,
            last_rotation_reason: c.last_rotation_reason.clone(),
            updated_at: c.updated_at,
            version,
        }
    }

    pub(crate) fn into_config(self) -> SecurityConfig {
        SecurityConfig {
            global_min_token_version: self.global_min_token_version,
            grace_period_seconds: self.grace_period_seconds,
            last_rotation_at: self.last_rotation_at,
            last_rotation_reason: self.last_rotation_reason,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}
