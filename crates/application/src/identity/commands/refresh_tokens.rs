use dashtam_domain::{
    identity::entities::RefreshToken,
    platform::events::{EventContext, EventPayload},
};
use uuid::Uuid;

use super::token_pair::token_pair;
use crate::{AppError, EventBatch, Ports, dto::TokenPair};

const INVALID: &str = "Refresh token is invalid, expired or revoked";

/// Trades a refresh token for a new pair. The old token dies; presenting it again is
/// treated as theft and revokes the session.
pub struct RefreshTokens {
    pub refresh_token: String,
    pub context: EventContext,
}

struct Failure {
    user_id: Option<Uuid>,
    session_id: Option<Uuid>,
    reason: &'static str,
}

impl RefreshTokens {
    pub async fn execute(self, ports: &Ports) -> Result<TokenPair, AppError> {
        let now = ports.clock.now();
        let mut events = EventBatch::new(&self.context, now);
        events.push(None, EventPayload::AuthTokenRefreshAttempted {});
        let result = rotate(ports, &self.refresh_token, &mut events).await;
        match &result {
            Ok(_) | Err(Err(_)) => {}
            Err(Ok(f)) => events.push(
                f.user_id,
                EventPayload::AuthTokenRefreshFailed {
                    reason: f.reason.into(),
                    session_id: f.session_id,
                },
            ),
        }
        events.append_to_outbox(ports).await;
        match result {
            Ok(pair) => Ok(pair),
            Err(Ok(_)) => Err(AppError::unauthorized(INVALID)),
            Err(Err(e)) => Err(e),
        }
    }
}

/// `Err(Ok(failure))` is the client's problem (401), `Err(Err(e))` ours.
async fn rotate(
    ports: &Ports,
    presented: &str,
    events: &mut EventBatch,
) -> Result<TokenPair, Result<Failure, AppError>> {
    let now = ports.clock.now();
    let fail = |user_id, session_id, reason| {
        Err(Ok(Failure {
            user_id,
            session_id,
            reason,
        }))
    };
    let hash = ports.identity.opaque_tokens.hash(presented);
    let Some(token) = ports
        .identity
        .sessions
        .find_refresh_token(&hash)
        .await
        .map_err(|e| Err(e.into()))?
    else {
        return fail(None, None, "token_invalid");
    };
    let (user_id, session_id) = (Some(token.user_id), Some(token.session_id));

    if token.rotated_at.is_some() {
        // Reuse of a retired token: whoever holds the chain now may be a thief.
        events.push(
            user_id,
            EventPayload::RefreshTokenReuseDetected {
                session_id: token.session_id,
            },
        );
        let revoked = events.event(
            user_id,
            EventPayload::SessionRevoked {
                session_id: token.session_id,
                reason: "refresh_token_reuse".into(),
            },
        );
        let carried = events.outbox_with([revoked]);
        if ports
            .identity
            .sessions
            .revoke(
                token.user_id,
                token.session_id,
                "refresh_token_reuse",
                now,
                &carried,
            )
            .await
            .map_err(|e| Err(e.into()))?
        {
            events.mark_outboxed();
        }
        return fail(user_id, session_id, "token_reused");
    }
    if token.is_expired(now) {
        return fail(user_id, session_id, "token_expired");
    }
    let session = ports
        .identity
        .sessions
        .find(token.user_id, token.session_id)
        .await
        .map_err(|e| Err(e.into()))?;
    let Some(session) =
        session.filter(|s| s.is_active(now) && s.current_refresh_hash == token.hash)
    else {
        return fail(user_id, session_id, "session_revoked");
    };
    let user = ports
        .identity
        .users
        .find_by_id(token.user_id)
        .await
        .map_err(|e| Err(e.into()))?;
    let Some(user) = user.filter(|u| u.is_active) else {
        return fail(user_id, session_id, "user_inactive");
    };
    // Ended by a password reset or a per-user rotation, even if its revocation never ran.
    if !user.accepts_session_from(session.created_at) {
        return fail(user_id, session_id, "session_revoked");
    }
    let config = ports
        .identity
        .security_config
        .get()
        .await
        .map_err(|e| Err(e.into()))?;
    if config.rejects(token.token_version, user.min_token_version, now) {
        events.push(
            user_id,
            EventPayload::TokenRejectedDueToRotation {
                session_id: token.session_id,
                token_version: token.token_version,
                required_version: config.issue_version(user.min_token_version),
            },
        );
        return fail(user_id, session_id, "token_version_rejected");
    }

    let fresh = ports.identity.opaque_tokens.refresh_token();
    let next = RefreshToken {
        hash: fresh.hash,
        user_id: user.id,
        session_id: token.session_id,
        token_version: config.issue_version(user.min_token_version),
        created_at: now,
        expires_at: now + RefreshToken::LIFETIME,
        rotated_at: None,
    };
    let rotation = dashtam_domain::identity::ports::RefreshRotation {
        old: &token,
        new: &next,
        at: now,
    };
    let succeeded = events.event(
        user_id,
        EventPayload::AuthTokenRefreshSucceeded {
            session_id: token.session_id,
        },
    );
    if let Err(e) = ports
        .identity
        .sessions
        .rotate_refresh(rotation, &events.outbox_with([succeeded]))
        .await
    {
        return match e {
            // A concurrent refresh or a revocation won the race.
            dashtam_domain::StoreError::Conflict(_) => {
                fail(user_id, session_id, "concurrent_refresh")
            }
            other => Err(Err(other.into())),
        };
    }
    events.mark_outboxed();
    token_pair(ports, &user, token.session_id, fresh.plaintext)
        .await
        .map_err(|e| Err(e.into()))
}
