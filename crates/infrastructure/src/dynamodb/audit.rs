use async_trait::async_trait;
use dashtam_domain::{StoreError, entities::AuditRecord, ports::AuditRepository};
use uuid::Uuid;

use super::{
    items::{AuditItem, audit_user_gsi1pk},
    table::{Expr, QuerySpec, Table, to_item},
};

/// The append-only audit trail: `AUDIT#<event id>` / `AUDIT`, one item per event.
///
/// There is no update or delete of audit items anywhere in this crate: `append` is a
/// conditional PutItem that refuses to overwrite.
#[derive(Debug, Clone)]
pub struct DynamoAuditRepository {
    table: Table,
}

impl DynamoAuditRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl AuditRepository for DynamoAuditRepository {
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError> {
        let item = AuditItem::new(record).map_err(|e| {
            StoreError::Unavailable(format!("dynamodb: cannot serialise audit context: {e}"))
        })?;
        let put = self.table.put(
            to_item("audit record", &item)?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        self.table.put_if("audit record", put).await
    }

    /// Query on GSI1 (`AUDITUSER#<uid>`, sorted by `<created_at>#<id>`), newest first.
    /// GSIs are eventually consistent: a record appended a moment ago may be missing.
    async fn list_for_user(
        &self,
        user_id: Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let items: Vec<AuditItem> = self
            .table
            .query(
                "audit record",
                QuerySpec {
                    index: Some("GSI1"),
                    key_condition: "GSI1PK = :pk",
                    expr: Expr::new().s(":pk", audit_user_gsi1pk(user_id)),
                    forward: false,
                    limit: Some(usize::try_from(limit).unwrap_or(usize::MAX)),
                },
            )
            .await?;
        items
            .into_iter()
            .map(|i| {
                i.into_record().map_err(|_| {
                    StoreError::Unavailable("dynamodb: corrupt item (audit context)".to_owned())
                })
            })
            .collect()
    }
}
