use dashtam_domain::platform::events::{EventContext, EventPayload};

use crate::{AppError, EventBatch, Ports, dto::Principal};

/// Revokes every session of the caller except the current one; answers how many.
pub struct RevokeOtherSessions {
    pub principal: Principal,
    pub reason: String,
    pub context: EventContext,
}

impl RevokeOtherSessions {
    pub async fn execute(self, ports: &Ports) -> Result<u32, AppError> {
        let now = ports.clock.now();
        let user_id = Some(self.principal.user_id);
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            user_id,
            EventPayload::AllSessionsRevocationAttempted {
                reason: self.reason.clone(),
            },
        );
        let result = ports
            .identity
            .sessions
            .revoke_all(
                self.principal.user_id,
                Some(self.principal.session_id),
                &self.reason,
                now,
                &|count| {
                    events.outbox_with([events.event(
                        user_id,
                        EventPayload::AllSessionsRevoked {
                            reason: self.reason.clone(),
                            revoked_count: count,
                        },
                    )])
                },
            )
            .await;
        match &result {
            Ok(_) => events.mark_outboxed(),
            Err(e) => events.push(
                user_id,
                EventPayload::AllSessionsRevocationFailed {
                    reason: e.to_string(),
                },
            ),
        }
        events.append_to_outbox(ports).await;
        Ok(result?)
    }
}
