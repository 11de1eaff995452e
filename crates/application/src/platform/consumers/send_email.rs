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
        let (to, token) = match recipient(&e.payload) {
            Recipient::Address(to, token) => (to.to_owned(), token.map(str::to_owned)),
            Recipient::Owner(detail) => {
                let Some(user_id) = e.user_id else {
                    tracing::error!(event = e.name(), event_id = %e.event_id, "email event without a user");
                    return Ok(false);
                };
                let Some(user) = ports.identity.users.find_by_id(user_id).await? else {
                    tracing::warn!(event = e.name(), event_id = %e.event_id, "the user is gone; no email");
                    return Ok(false);
                };
                (user.email.as_str().to_owned(), Some(detail))
            }
            Recipient::NoEmail => return Ok(false),
            Recipient::Missing => {
                tracing::error!(event = e.name(), event_id = %e.event_id, "email event without a recipient");
                return Ok(false);
            }
        };
        let (to, token) = (to.as_str(), token.as_deref());
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

/// Who gets an event's email.
enum Recipient<'a> {
    /// This address, with the token or detail the template shows.
    Address(&'a str, Option<&'a str>),
    /// The event's user (looked up), with this detail: the provider emails, whose events
    /// carry no address (`<provider>|<connection id>|<expires at>`).
    Owner(String),
    /// This occurrence of the event sends nothing (a refresh that may work next time).
    NoEmail,
    /// An email event that names nobody: a bug, logged.
    Missing,
}

fn recipient(payload: &EventPayload) -> Recipient<'_> {
    use dashtam_domain::providers::ProviderSlug;
    let provider = |slug: &str| {
        ProviderSlug::parse(slug).map_or_else(|| slug.to_owned(), |s| s.info().name.to_owned())
    };
    match payload {
        EventPayload::ProviderTokenExpiring {
            connection_id,
            provider_slug,
            expires_at,
        } => Recipient::Owner(format!(
            "{}|{connection_id}|{}",
            provider(provider_slug),
            expires_at.format("%Y-%m-%d %H:%M UTC")
        )),
        EventPayload::ProviderTokenRefreshFailed {
            connection_id,
            provider_slug,
            needs_reauth: true,
            ..
        } => Recipient::Owner(format!("{}|{connection_id}|", provider(provider_slug))),
        EventPayload::ProviderTokenRefreshFailed { .. } => Recipient::NoEmail,
        other => match address(other) {
            Some((to, token)) => Recipient::Address(to, token),
            None => Recipient::Missing,
        },
    }
}

fn address(payload: &EventPayload) -> Option<(&str, Option<&str>)> {
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
