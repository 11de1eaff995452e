use dashtam_domain::{
    Conflict,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, User},
        value_objects::Email,
    },
    platform::events::DomainEvent,
};
use uuid::Uuid;

use crate::{
    AppError, Ports,
    retry::{self, retry_on_conflict},
};

/// What happened to a request for a mailed one-time token.
pub enum MailedToken {
    /// The token is stored, and with it the events `issued` made for it.
    Issued,
    Refused {
        user_id: Option<Uuid>,
        reason: &'static str,
    },
}

/// Issues a one-time token of `kind` for the account at `email`, if `eligible` says the
/// account may have one and its hourly mail budget has room. The budget and the token are
/// saved in one atomic write with the events `issued(user_id, plaintext)` returns; a
/// concurrent change to the user is retried.
pub async fn mail_token(
    ports: &Ports,
    email: &Email,
    kind: OneTimeTokenKind,
    eligible: impl Fn(&User) -> Result<(), &'static str>,
    issued: impl Fn(Uuid, String) -> Vec<DomainEvent>,
) -> Result<MailedToken, AppError> {
    let now = ports.clock.now();
    // `Err(None)`: every attempt met a concurrent change.
    let outcome = retry_on_conflict!(
        |_| {
            let Some(mut user) = ports
                .identity
                .users
                .find_by_email(email)
                .await
                .map_err(|e| Some(e.into()))?
            else {
                return Ok(MailedToken::Refused {
                    user_id: None,
                    reason: "unknown_email",
                });
            };
            if let Err(reason) = eligible(&user) {
                return Ok(MailedToken::Refused {
                    user_id: Some(user.id),
                    reason,
                });
            }
            // One inbox, one budget: resends and reset links share it.
            if !user.take_mail_slot(now) {
                return Ok(MailedToken::Refused {
                    user_id: Some(user.id),
                    reason: "too_many_requests",
                });
            }
            let token = ports.identity.opaque_tokens.hex_token();
            let stored = OneTimeToken::issue(token.hash, kind, user.id, now);
            let events = issued(user.id, token.plaintext);
            ports
                .identity
                .one_time_tokens
                .issue(&stored, &user, &events)
                .await
                .map_err(retry::unless(Conflict::StaleUser, |e| Some(e.into())))?;
            Ok(MailedToken::Issued)
        },
        None
    );
    match outcome {
        Ok(mailed) => Ok(mailed),
        Err(Some(e)) => Err(e),
        Err(None) => Ok(MailedToken::Refused {
            user_id: None,
            reason: "contention",
        }),
    }
}
