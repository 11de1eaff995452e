use dashtam_domain::{
    identity::{entities::OneTimeTokenKind, value_objects::Email},
    platform::events::{EventContext, EventPayload},
};

use super::mail_token::{MailedToken, mail_token};
use crate::{AppError, EventBatch, Ports};

/// Mails a reset token to a verified user (at most 3 per hour). Answers the same whether
/// or not the account exists, so it cannot be used to discover accounts.
pub struct RequestPasswordReset {
    pub email: Email,
    pub context: EventContext,
}

impl RequestPasswordReset {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, ports.clock.now());
        events.push(
            None,
            EventPayload::PasswordResetRequestAttempted {
                email: email.clone(),
            },
        );
        let outcome = mail_token(
            ports,
            &self.email,
            OneTimeTokenKind::PasswordReset,
            |user| {
                if user.is_verified && user.is_active {
                    Ok(())
                } else {
                    Err("not_eligible")
                }
            },
            |user_id, plaintext| {
                events.outbox_with([events.event(
                    Some(user_id),
                    EventPayload::PasswordResetRequestSucceeded {
                        email: email.clone(),
                        reset_token: plaintext,
                    },
                )])
            },
        )
        .await?;
        match outcome {
            MailedToken::Issued => events.mark_outboxed(),
            MailedToken::Refused { user_id, reason } => events.push(
                user_id,
                EventPayload::PasswordResetRequestFailed {
                    email,
                    reason: reason.to_owned(),
                },
            ),
        }
        events.append_to_outbox(ports).await;
        Ok(())
    }
}
