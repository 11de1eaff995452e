use async_trait::async_trait;
use dashtam_domain::{
    StoreError, entities::SecurityConfig, events::DomainEvent, ports::SecurityConfigRepository,
};

use super::{
    items::{CONFIG_PK, CONFIG_SK, SecurityConfigItem},
    table::{Expr, Table, to_item},
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
            Err(StoreError::Conflict("security_config"))
        }
    }
}
