use dashtam_domain::{
    identity::{entities::OneTimeTokenKind, value_objects::Email},
    platform::events::{EventContext, EventPayload},
};

use super::mail_token::{MailedToken, mail_token};
use crate::{AppError, EventBatch, Ports};

/// Mails a fresh verification token to an unverified account. Answers the same for every
/// email, so it cannot be used to discover accounts.
pub struct RequestVerificationEmail {
    pub email: Email,
    pub context: EventContext,
}

impl RequestVerificationEmail {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, ports.clock.now());
        events.push(
            None,
            EventPayload::EmailVerificationRequestAttempted {
                email: email.clone(),
            },
        );
        let outcome = mail_token(
            ports,
            &self.email,
            OneTimeTokenKind::EmailVerification,
            |user| {
                if user.is_verified {
                    Err("already_verified")
                } else {
                    Ok(())
                }
            },
            |user_id, plaintext| {
                events.outbox_with([events.event(
                    Some(user_id),
                    EventPayload::EmailVerificationRequestSucceeded {
                        email: email.clone(),
                        verification_token: plaintext,
                    },
                )])
            },
        )
        .await?;
        match outcome {
            MailedToken::Issued => events.mark_outboxed(),
            MailedToken::Refused { user_id, reason } => events.push(
                user_id,
                EventPayload::EmailVerificationRequestFailed {
                    email,
                    reason: reason.to_owned(),
                },
            ),
        }
        events.append_to_outbox(ports).await;
        Ok(())
    }
}
