use dashtam_domain::{
    entities::{OneTimeToken, OneTimeTokenKind},
    events::{EventContext, EventPayload},
    value_objects::Email,
};

use crate::{AppError, EventBatch, Ports, retry};

/// Mails a reset token to a verified user (at most 3 per hour). Answers the same whether
/// or not the account exists, so it cannot be used to discover accounts.
pub struct RequestPasswordReset {
    pub email: Email,
    pub context: EventContext,
}

impl RequestPasswordReset {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            None,
            EventPayload::PasswordResetRequestAttempted {
                email: email.clone(),
            },
        );
        let failed = |reason: &str| EventPayload::PasswordResetRequestFailed {
            email: email.clone(),
            reason: reason.to_owned(),
        };

        for _ in 0..retry::MAX_ATTEMPTS {
            let Some(mut user) = ports.users.find_by_email(&self.email).await? else {
                events.push(None, failed("unknown_email"));
                break;
            };
            if !user.is_verified || !user.is_active {
                events.push(Some(user.id), failed("not_eligible"));
                break;
            }
            if !user.take_reset_slot(now) {
                events.push(Some(user.id), failed("too_many_requests"));
                break;
            }
            let token = ports.opaque_tokens.hex_token();
            let stored =
                OneTimeToken::issue(token.hash, OneTimeTokenKind::PasswordReset, user.id, now);
            match ports.one_time_tokens.issue(&stored, &user).await {
                Ok(()) => {
                    events.push(
                        Some(user.id),
                        EventPayload::PasswordResetRequestSucceeded {
                            email: email.clone(),
                            reset_token: token.plaintext,
                        },
                    );
                    break;
                }
                Err(e) if retry::is_conflict(&e, "user") => continue,
                Err(e) => return Err(e.into()),
            }
        }
        events.publish(ports).await;
        Ok(())
    }
}
