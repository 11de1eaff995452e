use dashtam_domain::platform::events::{EventContext, EventPayload};
use uuid::Uuid;

use crate::{AppError, EventBatch, Ports, dto::Principal};

/// Revokes one of the caller's sessions. Idempotent; another user's session is 404.
pub struct RevokeSession {
    pub principal: Principal,
    pub session_id: Uuid,
    pub reason: String,
    pub context: EventContext,
}

impl RevokeSession {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let user_id = self.principal.user_id;
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            Some(user_id),
            EventPayload::SessionRevocationAttempted {
                session_id: self.session_id,
            },
        );
        // Sessions are keyed under their owner, so another user's id is simply not found.
        if ports
            .identity
            .sessions
            .find(user_id, self.session_id)
            .await?
            .is_none()
        {
            events.push(
                Some(user_id),
                EventPayload::SessionRevocationFailed {
                    session_id: self.session_id,
                    reason: "not_found".into(),
                },
            );
            events.append_to_outbox(ports).await;
            return Err(AppError::NotFound("Session not found".into()));
        }
        // Revoking twice answers the same, but only the first revocation is an event.
        let revoked = events.event(
            Some(user_id),
            EventPayload::SessionRevoked {
                session_id: self.session_id,
                reason: self.reason.clone(),
            },
        );
        if ports
            .identity
            .sessions
            .revoke(
                user_id,
                self.session_id,
                &self.reason,
                now,
                &events.outbox_with([revoked]),
            )
            .await?
        {
            events.mark_outboxed();
        }
        events.append_to_outbox(ports).await;
        Ok(())
    }
}
