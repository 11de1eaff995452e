use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    imports::{
        FileImport, ImportRepository, Statement, StatementError, StatementErrorCode, StatementFile,
        StatementParser, Upload, UploadStore,
    },
    platform::events::DomainEvent,
};
use uuid::Uuid;

use super::{Unwired, unwired::unwired};

/// Import limits that come from configuration.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    /// The largest file a request may carry; larger ones go through an upload.
    pub max_request_bytes: usize,
    /// The largest uploaded file a worker reads.
    pub max_upload_bytes: u64,
    /// How long an upload URL stays valid.
    pub upload_url_ttl: Duration,
    /// How long one import holds the user's import claim: the longest a run can take
    /// (the function's timeout), after which a crashed run no longer blocks a retry.
    pub claim_lease: chrono::Duration,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            max_request_bytes: 5 * 1024 * 1024,
            max_upload_bytes: 200 * 1024 * 1024,
            upload_url_ttl: Duration::from_secs(15 * 60),
            claim_lease: chrono::Duration::minutes(2),
        }
    }
}

/// Import records, the statement parser and the uploads bucket.
#[derive(Clone)]
pub struct ImportPorts {
    pub imports: Arc<dyn ImportRepository>,
    pub parser: Arc<dyn StatementParser>,
    pub uploads: Arc<dyn UploadStore>,
    pub settings: ImportSettings,
}

impl ImportPorts {
    /// Every port answers "not wired".
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("imports"));
        Self {
            imports: unwired.clone(),
            parser: unwired.clone(),
            uploads: unwired,
            settings: ImportSettings::default(),
        }
    }
}

unwired!(ImportRepository {
    fn create(&FileImport, &[DomainEvent]) -> Result<(), StoreError>;
    fn save(&FileImport, &[DomainEvent]) -> Result<(), StoreError>;
    fn find(Uuid, Uuid) -> Result<Option<FileImport>, StoreError>;
    fn owner_of(Uuid) -> Result<Option<Uuid>, StoreError>;
});

unwired!(UploadStore {
    fn presign_put(&str, Duration) -> Result<String, StoreError>;
    fn fetch(&str, u64) -> Result<Upload, StoreError>;
});

impl StatementParser for Unwired {
    fn parse(&self, _: StatementFile<'_>) -> Result<Statement, StatementError> {
        let fault = self.fault();
        Err(StatementError::new(
            StatementErrorCode::NotAStatement,
            String::from(fault),
        ))
    }
}
