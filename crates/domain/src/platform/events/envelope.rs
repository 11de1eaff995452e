use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{EventMeta, EventPayload};

/// Who caused an event and from where: copied into every event of a request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventContext {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub trace_id: Option<String>,
}

/// An event as it travels: a unique id (consumers deduplicate on it), when, who, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub event_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub context: EventContext,
    pub payload: EventPayload,
}

impl DomainEvent {
    pub fn new(
        payload: EventPayload,
        user_id: Option<Uuid>,
        context: &EventContext,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: dashtam_core::new_id(),
            occurred_at,
            user_id,
            context: context.clone(),
            payload,
        }
    }

    pub fn name(&self) -> &'static str {
        self.payload.name()
    }

    pub fn meta(&self) -> &'static EventMeta {
        self.payload.meta()
    }

    /// The payload's fields minus secrets: what the audit trail and the logs may keep.
    pub fn audit_context(&self) -> serde_json::Value {
        let mut data = serde_json::to_value(&self.payload)
            .ok()
            .and_then(|mut v| v.get_mut("data").map(serde_json::Value::take))
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(map) = data.as_object_mut() {
            map.retain(|k, _| !k.ends_with("_token"));
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_context_drops_tokens() {
        let e = DomainEvent::new(
            EventPayload::PasswordResetRequestSucceeded {
                email: "a@b.co".into(),
                reset_token: "secret".into(),
            },
            None,
            &EventContext::default(),
            Utc::now(),
        );
        let ctx = e.audit_context();
        assert_eq!(ctx["email"], "a@b.co");
        assert!(ctx.get("reset_token").is_none());
        let round: DomainEvent = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(round, e);
    }
}
