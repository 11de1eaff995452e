use chrono::Duration;
use dashtam_domain::platform::{
    events::{DomainEvent, EventPayload},
    ports::EmailMessage,
};

use crate::{AppError, Ports};

const CONSUMER: &str = "email";

/// Sends the email an event asks for, at most once per event: a claim on the event id is
/// taken before sending and completed after; a failed send releases it for a retry.
pub struct SendEmail<'a> {
    pub event: &'a DomainEvent,
}

impl SendEmail<'_> {
    /// True if an email went out.
    pub async fn execute(self, ports: &Ports) -> Result<bool, AppError> {
        let e = self.event;
        let Some(kind) = e.meta().email else {
            return Ok(false);
        };
        let Some((to, token)) = recipient(&e.payload) else {
            tracing::error!(event = e.name(), event_id = %e.event_id, "email event without a recipient");
            return Ok(false);
        };
        let now = ports.clock.now();
        // The lease outlives one send attempt; a worker that dies mid-send frees it later.
        if !ports
            .platform
            .processed
            .claim(CONSUMER, e.event_id, now + Duration::minutes(5))
            .await?
        {
            return Ok(false);
        }
        let (subject, text, html) = ports.platform.email_composer.compose(kind, to, token);
        let message = EmailMessage {
            to: to.to_owned(),
            subject,
            text,
            html,
            sent_at: now,
        };
        match ports.platform.email.send(&message).await {
            Ok(()) => {
                ports
                    .platform
                    .processed
                    .complete(CONSUMER, e.event_id)
                    .await?;
                Ok(true)
            }
            Err(err) => {
                ports
                    .platform
                    .processed
                    .release(CONSUMER, e.event_id)
                    .await?;
                Err(AppError::Upstream(err.to_string()))
            }
        }
    }
}

fn recipient(payload: &EventPayload) -> Option<(&str, Option<&str>)> {
    match payload {
        EventPayload::UserRegistrationSucceeded {
            email,
            verification_token,
        }
        | EventPayload::EmailVerificationRequestSucceeded {
            email,
            verification_token,
        } => Some((email, Some(verification_token))),
        EventPayload::PasswordResetRequestSucceeded { email, reset_token } => {
            Some((email, Some(reset_token)))
        }
        EventPayload::PasswordResetConfirmSucceeded { email, .. } => Some((email, None)),
        EventPayload::NewDeviceSessionDetected {
            email, device_info, ..
        } => Some((email, Some(device_info))),
        _ => None,
    }
}
