//! [`ProcessedEvents`] over the [`MemoryStore`]: idempotency claims with leases.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{StoreError, platform::ports::ProcessedEvents};
use uuid::Uuid;

use super::MemoryStore;

#[async_trait]
impl ProcessedEvents for MemoryStore {
    async fn claim(
        &self,
        consumer: &str,
        event_id: Uuid,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut s = self.state()?;
        let key = (consumer.to_owned(), event_id);
        let now = Utc::now();
        match s.processed.get(&key) {
            Some((true, _)) => Ok(false),
            Some((false, lease)) if *lease > now => Ok(false),
            _ => {
                s.processed.insert(key, (false, lease_until));
                Ok(true)
            }
        }
    }

    async fn complete(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let mut s = self.state()?;
        if let Some(entry) = s.processed.get_mut(&(consumer.to_owned(), event_id)) {
            entry.0 = true;
        }
        Ok(())
    }

    async fn release(&self, consumer: &str, event_id: Uuid) -> Result<(), StoreError> {
        let mut s = self.state()?;
        let key = (consumer.to_owned(), event_id);
        if matches!(s.processed.get(&key), Some((false, _))) {
            s.processed.remove(&key);
        }
        Ok(())
    }
}
