use dashtam_domain::{
    StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, Role, User},
        value_objects::{Email, Password},
    },
    platform::events::{EventContext, EventPayload},
};

use crate::{AppError, EventBatch, Ports, dto::RegisteredUser};

/// Creates an unverified account and mails a verification token.
pub struct RegisterUser {
    pub email: Email,
    pub password: String,
    pub context: EventContext,
}

impl RegisterUser {
    pub async fn execute(self, ports: &Ports) -> Result<RegisteredUser, AppError> {
        let now = ports.clock.now();
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            None,
            EventPayload::UserRegistrationAttempted {
                email: email.clone(),
            },
        );

        let password = match Password::parse(&self.password, "password") {
            Ok(p) => p,
            Err(errors) => {
                events.push(None, failed(&email, "weak_password"));
                events.append_to_outbox(ports).await;
                return Err(AppError::validation(
                    "Password does not meet the requirements",
                    errors,
                ));
            }
        };
        let hash = ports
            .identity
            .hasher
            .hash(&password)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;

        let mut user = User::register(dashtam_core::new_id(), self.email, hash, now);
        if ports.identity.settings.admin_emails.contains(&email) {
            user.roles.insert(Role::Admin);
        }
        let token = ports.identity.opaque_tokens.hex_token();
        let verification = OneTimeToken::issue(
            token.hash,
            OneTimeTokenKind::EmailVerification,
            user.id,
            now,
        );

        let succeeded = events.event(
            Some(user.id),
            EventPayload::UserRegistrationSucceeded {
                email: email.clone(),
                verification_token: token.plaintext,
            },
        );
        match ports
            .identity
            .users
            .create(&user, &verification, &events.outbox_with([succeeded]))
            .await
        {
            Ok(()) => Ok(RegisteredUser { id: user.id, email }),
            Err(StoreError::AlreadyExists(_)) => {
                events.push(None, failed(&email, "email_taken"));
                events.append_to_outbox(ports).await;
                Err(AppError::Conflict("Email already registered".into()))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn failed(email: &str, reason: &str) -> EventPayload {
    EventPayload::UserRegistrationFailed {
        email: email.to_owned(),
        reason: reason.to_owned(),
    }
}
