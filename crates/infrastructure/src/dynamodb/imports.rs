//! Import records: `USER#<uid>` / `IMPORT#<iid>`, indexed by `GSI1PK = IMPORT#<iid>` so
//! `owner_of` finds the owner from the id alone. Saved with a version check; events go
//! with each write into the outbox.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    imports::{
        FileFormat, FileImport, ImportCounts, ImportHints, ImportRepository, ImportSource,
        ImportStatus,
    },
    platform::events::DomainEvent,
    portfolio::{AccountType, Currency},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::Expr,
    keys::{IMPORT_GSI1SK, import_gsi1pk, import_sk, user_pk},
    owner::owner_by_gsi1,
    table::{Table, to_item},
    ts,
};

#[derive(Debug, Clone)]
pub struct DynamoImportRepository {
    table: Table,
}

impl DynamoImportRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl ImportRepository for DynamoImportRepository {
    async fn create(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError> {
        let put = self.table.put(
            to_item("import", &ImportItem::new(import))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        if self.table.put_with_events("import", put, events).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(Existing::Import))
        }
    }

    async fn save(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError> {
        let put = self.table.put(
            to_item("import", &ImportItem::new(import))?,
            Some("attribute_exists(PK) AND #v = :expected"),
            Expr::new()
                .name("#v", "version")
                .n(":expected", import.version),
        )?;
        if self.table.put_with_events("import", put, events).await? {
            Ok(())
        } else {
            Err(StoreError::Conflict(Conflict::StaleImport))
        }
    }

    async fn find(&self, user_id: Uuid, import_id: Uuid) -> Result<Option<FileImport>, StoreError> {
        Ok(self
            .table
            .get::<ImportItem>("import", user_pk(user_id), &import_sk(import_id))
            .await?
            .map(ImportItem::into_import))
    }

    async fn owner_of(&self, import_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        owner_by_gsi1(
            &self.table,
            "import owner",
            import_gsi1pk(import_id),
            IMPORT_GSI1SK,
        )
        .await
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct ImportItem {
    PK: String,
    SK: String,
    GSI1PK: String,
    GSI1SK: String,
    entity: String,
    id: Uuid,
    user_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection_id: Option<Uuid>,
    file_name: String,
    format: FileFormat,
    source: ImportSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint_account_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint_account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint_account_type: Option<AccountType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint_currency: Option<Currency>,
    #[serde(default)]
    hint_charges_positive: bool,
    status: ImportStatus,
    records_total: u64,
    records_processed: u64,
    accounts_created: u64,
    accounts_updated: u64,
    transactions_created: u64,
    transactions_skipped: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(with = "ts")]
    created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    updated_at: DateTime<Utc>,
    version: u64,
}

impl ImportItem {
    /// The item as stored after a write of `i` (`version` + 1).
    fn new(i: &FileImport) -> Self {
        Self {
            PK: user_pk(i.user_id),
            SK: import_sk(i.id),
            GSI1PK: import_gsi1pk(i.id),
            GSI1SK: IMPORT_GSI1SK.to_owned(),
            entity: "import".to_owned(),
            id: i.id,
            user_id: i.user_id,
            connection_id: i.connection_id,
            file_name: i.file_name.clone(),
            format: i.format,
            source: i.source,
            hint_account_number: i.hints.account_number.clone(),
            hint_account_name: i.hints.account_name.clone(),
            hint_account_type: i.hints.account_type,
            hint_currency: i.hints.currency,
            hint_charges_positive: i.hints.charges_positive,
            status: i.status,
            records_total: i.records_total,
            records_processed: i.records_processed,
            accounts_created: i.counts.accounts_created,
            accounts_updated: i.counts.accounts_updated,
            transactions_created: i.counts.transactions_created,
            transactions_skipped: i.counts.transactions_skipped,
            error: i.error.clone(),
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version.saturating_add(1),
        }
    }

    fn into_import(self) -> FileImport {
        FileImport {
            id: self.id,
            user_id: self.user_id,
            connection_id: self.connection_id,
            file_name: self.file_name,
            format: self.format,
            source: self.source,
            hints: ImportHints {
                account_number: self.hint_account_number,
                account_name: self.hint_account_name,
                account_type: self.hint_account_type,
                currency: self.hint_currency,
                charges_positive: self.hint_charges_positive,
            },
            status: self.status,
            records_total: self.records_total,
            records_processed: self.records_processed,
            counts: ImportCounts {
                accounts_created: self.accounts_created,
                accounts_updated: self.accounts_updated,
                transactions_created: self.transactions_created,
                transactions_skipped: self.transactions_skipped,
            },
            error: self.error,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}
