//! What the import use cases reach: import records, the parser and the uploads bucket.

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use crate::{StoreError, platform::events::DomainEvent};

use super::{FileImport, Statement, StatementError, StatementFile};

/// Import records, kept under their owner. Every write stores the events given to it in
/// the outbox, in the same atomic write.
#[async_trait]
pub trait ImportRepository: Send + Sync {
    /// Stores a new record (`version` 0 → stored as 1).
    async fn create(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError>;

    /// Saves it if the store still holds `import.version`; `Conflict(StaleImport)`
    /// otherwise.
    async fn save(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError>;

    async fn find(&self, user_id: Uuid, import_id: Uuid) -> Result<Option<FileImport>, StoreError>;

    /// Whose import this is, whoever asks (tells 403 from 404).
    async fn owner_of(&self, import_id: Uuid) -> Result<Option<Uuid>, StoreError>;
}

/// Reads a statement file whole, or says what is wrong with it. Pure: no I/O.
pub trait StatementParser: Send + Sync {
    fn parse(&self, file: StatementFile<'_>) -> Result<Statement, StatementError>;
}

/// The uploads bucket: large files are put there directly by the client.
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// A URL the client can PUT the file to, valid for `expires_in`.
    async fn presign_put(&self, key: &str, expires_in: Duration) -> Result<String, StoreError>;

    /// The object, read whole unless it is over `max_bytes`.
    async fn fetch(&self, key: &str, max_bytes: u64) -> Result<Upload, StoreError>;
}

/// What the uploads bucket holds under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    Missing,
    TooLarge { size: u64 },
    File(Vec<u8>),
}
