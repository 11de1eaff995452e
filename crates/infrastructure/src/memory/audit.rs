//! [`AuditRepository`] over the [`MemoryStore`]: append-only records.

use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    platform::{
        entities::AuditRecord,
        ports::{AuditPage, AuditPosition, AuditQuery, AuditRepository},
    },
};
use uuid::Uuid;

use super::MemoryStore;

#[async_trait]
impl AuditRepository for MemoryStore {
    async fn append(&self, record: &AuditRecord) -> Result<bool, StoreError> {
        let mut s = self.state()?;
        if s.audit.contains_key(&record.event_id) {
            return Ok(false);
        }
        s.audit.insert(record.event_id, record.clone());
        Ok(true)
    }

    async fn list_for_user(
        &self,
        user_id: Uuid,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut list: Vec<AuditRecord> = self
            .state()?
            .audit
            .values()
            .filter(|r| r.user_id == Some(user_id))
            .cloned()
            .collect();
        list.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        list.truncate(limit as usize);
        Ok(list)
    }

    /// Same contract as the DynamoDB walk, exact: `next` is set only if more records match.
    async fn list(&self, q: &AuditQuery) -> Result<AuditPage, StoreError> {
        let mut list: Vec<AuditRecord> = self
            .state()?
            .audit
            .values()
            .filter(|r| {
                q.user_id.is_none_or(|u| r.user_id == Some(u))
                    && q.action.as_deref().is_none_or(|a| r.action == a)
                    && r.created_at >= q.since
                    && match q.after {
                        Some(p) => p.is_before(r),
                        None => r.created_at <= q.until,
                    }
            })
            .cloned()
            .collect();
        list.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let limit = q.limit as usize;
        let more = list.len() > limit;
        list.truncate(limit);
        let next = if more {
            list.last().map(|r| AuditPosition {
                at: r.created_at,
                id: r.id,
            })
        } else {
            None
        };
        Ok(AuditPage {
            records: list,
            next,
        })
    }
}
