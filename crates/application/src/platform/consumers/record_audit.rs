use dashtam_domain::platform::{
    entities::AuditRecord,
    events::{DomainEvent, EventPayload},
};

use crate::{AppError, Ports};

/// Writes the one audit record an event deserves. Answers whether a record was written
/// (false: not audited, or already recorded by an earlier delivery).
pub struct RecordAudit<'a> {
    pub event: &'a DomainEvent,
}

impl RecordAudit<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<bool, AppError> {
        let e = self.event;
        if !e.meta().audit {
            return Ok(false);
        }
        let (resource_type, resource_id) = resource_of(&e.payload);
        let record = AuditRecord {
            id: dashtam_core::new_id(),
            event_id: e.event_id,
            action: e.name().to_owned(),
            user_id: e.user_id,
            resource_type: resource_type.map(str::to_owned),
            resource_id,
            ip_address: e.context.ip_address.clone(),
            user_agent: e.context.user_agent.clone(),
            context: e.audit_context(),
            created_at: e.occurred_at,
        };
        Ok(ports.platform.audit.append(&record).await?)
    }
}

/// What the event is about, for filtering the trail.
fn resource_of(payload: &EventPayload) -> (Option<&'static str>, Option<String>) {
    let data = serde_json::to_value(payload).ok();
    let field = |k: &str| {
        data.as_ref()
            .and_then(|v| v["data"].get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    if let Some(id) = field("session_id") {
        (Some("session"), Some(id))
    } else if let Some(id) = field("target_user_id") {
        (Some("user"), Some(id))
    } else if payload.meta().workflow.contains("token_rotation") {
        (Some("security_config"), None)
    } else {
        (Some("user"), None)
    }
}
