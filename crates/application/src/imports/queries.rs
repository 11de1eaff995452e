//! Reading an import's progress.

use dashtam_domain::imports::{FileFormat, FileImport, ImportStatus};
use uuid::Uuid;

use super::owned::owned_import;
use crate::{AppError, Ports, dto::Principal};

/// Where an import stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportView {
    pub import_id: Uuid,
    pub status: ImportStatus,
    pub file_name: String,
    pub file_format: FileFormat,
    pub connection_id: Option<Uuid>,
    pub progress_percent: u8,
    pub records_total: u64,
    pub records_processed: u64,
    pub accounts_created: u64,
    pub accounts_updated: u64,
    pub transactions_created: u64,
    pub transactions_skipped: u64,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&FileImport> for ImportView {
    fn from(i: &FileImport) -> Self {
        Self {
            import_id: i.id,
            status: i.status,
            file_name: i.file_name.clone(),
            file_format: i.format,
            connection_id: i.connection_id,
            progress_percent: i.progress_percent(),
            records_total: i.records_total,
            records_processed: i.records_processed,
            accounts_created: i.counts.accounts_created,
            accounts_updated: i.counts.accounts_updated,
            transactions_created: i.counts.transactions_created,
            transactions_skipped: i.counts.transactions_skipped,
            error: i.error.clone(),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

pub struct GetImport {
    pub principal: Principal,
    pub import_id: Uuid,
}

impl GetImport {
    pub async fn execute(self, ports: &Ports) -> Result<ImportView, AppError> {
        let import = owned_import(ports, self.principal.user_id, self.import_id).await?;
        Ok(ImportView::from(&import))
    }
}
