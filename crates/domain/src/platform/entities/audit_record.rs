use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One immutable line of the audit trail, written once per security event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: Uuid,
    /// The event this record stands for; the store refuses a second record for it.
    pub event_id: Uuid,
    pub action: String,
    pub user_id: Option<Uuid>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub context: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
