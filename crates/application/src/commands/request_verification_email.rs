use dashtam_domain::{
    entities::{OneTimeToken, OneTimeTokenKind},
    events::{EventContext, EventPayload},
    value_objects::Email,
};

use crate::{AppError, EventBatch, Ports, retry};

/// Mails a fresh verification token to an unverified account. Answers the same for every
/// email, so it cannot be used to discover accounts.
pub struct RequestVerificationEmail {
    pub email: Email,
    pub context: EventContext,
}

impl RequestVerificationEmail {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            None,
            EventPayload::EmailVerificationRequestAttempted {
                email: email.clone(),
            },
        );
        let failed = |reason: &str| EventPayload::EmailVerificationRequestFailed {
            email: email.clone(),
            reason: reason.to_owned(),
        };

        for _ in 0..retry::MAX_ATTEMPTS {
            let Some(mut user) = ports.users.find_by_email(&self.email).await? else {
                events.push(None, failed("unknown_email"));
                break;
            };
            if user.is_verified {
                events.push(Some(user.id), failed("already_verified"));
                break;
            }
            // Shares the hourly mail budget with password resets: one inbox, one limit.
            if !user.take_reset_slot(now) {
                events.push(Some(user.id), failed("too_many_requests"));
                break;
            }
            let token = ports.opaque_tokens.hex_token();
            let stored = OneTimeToken::issue(
                token.hash,
                OneTimeTokenKind::EmailVerification,
                user.id,
                now,
            );
            match ports.one_time_tokens.issue(&stored, &user).await {
                Ok(()) => {
                    events.push(
                        Some(user.id),
                        EventPayload::EmailVerificationRequestSucceeded {
                            email: email.clone(),
                            verification_token: token.plaintext,
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
