use dashtam_domain::platform::events::{EventContext, EventPayload};

use crate::{AppError, EventBatch, Ports, dto::Principal};

/// Ends the caller's session (and so its refresh tokens and access tokens). If the given
/// refresh token belongs to another live session of the same user, that one ends too.
/// Always succeeds for an authenticated caller: logout must not leak token ownership.
pub struct Logout {
    pub principal: Principal,
    pub refresh_token: String,
    pub context: EventContext,
}

impl Logout {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let user_id = Some(self.principal.user_id);
        let current = self.principal.session_id;
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            user_id,
            EventPayload::UserLogoutAttempted {
                session_id: current,
            },
        );

        let mut targets = vec![current];
        let hash = ports.identity.opaque_tokens.hash(&self.refresh_token);
        if let Some(token) = ports.identity.sessions.find_refresh_token(&hash).await?
            && token.user_id == self.principal.user_id
            && token.session_id != current
        {
            targets.push(token.session_id);
        }
        for session_id in targets {
            let revoked = events.event(
                user_id,
                EventPayload::SessionRevoked {
                    session_id,
                    reason: "logout".into(),
                },
            );
            if ports
                .identity
                .sessions
                .revoke(
                    self.principal.user_id,
                    session_id,
                    "logout",
                    now,
                    &events.outbox_with([revoked]),
                )
                .await?
            {
                events.mark_outboxed();
            }
        }
        events.push(
            user_id,
            EventPayload::UserLogoutSucceeded {
                session_id: current,
            },
        );
        events.append_to_outbox(ports).await;
        Ok(())
    }
}
