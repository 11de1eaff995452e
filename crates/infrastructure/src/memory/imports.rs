//! [`ImportRepository`] over the [`MemoryStore`], and an in-memory uploads bucket.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use async_trait::async_trait;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    imports::{FileImport, ImportRepository, Upload, UploadStore},
    platform::events::DomainEvent,
};
use uuid::Uuid;

use super::MemoryStore;

#[async_trait]
impl ImportRepository for MemoryStore {
    async fn create(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if s.imports.contains_key(&import.id) {
            return Err(StoreError::AlreadyExists(Existing::Import));
        }
        s.imports.insert(import.id, stored(import));
        s.record(events);
        Ok(())
    }

    async fn save(&self, import: &FileImport, events: &[DomainEvent]) -> Result<(), StoreError> {
        let mut s = self.state()?;
        match s.imports.get(&import.id) {
            Some(held) if held.version == import.version => {}
            _ => return Err(StoreError::Conflict(Conflict::StaleImport)),
        }
        s.imports.insert(import.id, stored(import));
        s.record(events);
        Ok(())
    }

    async fn find(&self, user_id: Uuid, import_id: Uuid) -> Result<Option<FileImport>, StoreError> {
        Ok(self
            .state()?
            .imports
            .get(&import_id)
            .filter(|i| i.user_id == user_id)
            .cloned())
    }

    async fn owner_of(&self, import_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(self.state()?.imports.get(&import_id).map(|i| i.user_id))
    }
}

/// As a write stores it: `version` + 1.
fn stored(import: &FileImport) -> FileImport {
    FileImport {
        version: import.version + 1,
        ..import.clone()
    }
}

/// An uploads bucket in memory: tests and the in-memory local stack put objects with
/// [`MemoryUploads::put`]; the presigned URL names `base_url` + the key.
pub struct MemoryUploads {
    base_url: String,
    objects: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryUploads {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            objects: Mutex::default(),
        }
    }

    pub fn put(&self, key: &str, bytes: Vec<u8>) {
        self.objects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), bytes);
    }
}

#[async_trait]
impl UploadStore for MemoryUploads {
    async fn presign_put(&self, key: &str, _: Duration) -> Result<String, StoreError> {
        Ok(format!("{}/{key}", self.base_url.trim_end_matches('/')))
    }

    async fn fetch(&self, key: &str, max_bytes: u64) -> Result<Upload, StoreError> {
        let objects = self.objects.lock().unwrap_or_else(|p| p.into_inner());
        Ok(match objects.get(key) {
            None => Upload::Missing,
            Some(bytes) if bytes.len() as u64 > max_bytes => Upload::TooLarge {
                size: bytes.len() as u64,
            },
            Some(bytes) => Upload::File(bytes.clone()),
        })
    }
}
