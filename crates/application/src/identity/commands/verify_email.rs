use dashtam_domain::{
    Conflict, StoreError,
    identity::entities::OneTimeTokenKind,
    platform::events::{EventContext, EventPayload},
};

use crate::{
    AppError, EventBatch, Ports,
    retry::{Attempt, retry_on_conflict},
};

/// Redeems an email-verification token (single use, 24 h).
pub struct VerifyEmail {
    pub token: String,
    pub context: EventContext,
}

impl VerifyEmail {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let mut events = EventBatch::new(&self.context, now);
        events.push(None, EventPayload::EmailVerificationAttempted {});
        let outcome = redeem(ports, &self.token, &events).await;
        match &outcome {
            Ok(()) => events.mark_outboxed(),
            Err((user_id, reason, _)) => events.push(
                *user_id,
                EventPayload::EmailVerificationFailed {
                    reason: (*reason).to_owned(),
                },
            ),
        }
        events.append_to_outbox(ports).await;
        outcome.map_err(|(_, _, e)| e)
    }
}

type Failure = (Option<uuid::Uuid>, &'static str, AppError);

/// Redeems the token; the write carries `events` and the success event.
async fn redeem(ports: &Ports, token: &str, events: &EventBatch) -> Result<(), Failure> {
    let not_found = |user| {
        (
            user,
            "token_not_found",
            AppError::NotFound("Verification token not found or already used".into()),
        )
    };
    let hash = ports.identity.opaque_tokens.hash(token);
    let stored = ports
        .identity
        .one_time_tokens
        .find(OneTimeTokenKind::EmailVerification, &hash)
        .await
        .map_err(|e| (None, "store_error", e.into()))?;
    let Some(stored) = stored.filter(|t| t.used_at.is_none()) else {
        return Err(not_found(None));
    };
    let now = ports.clock.now();
    if stored.is_expired(now) {
        return Err((
            Some(stored.user_id),
            "token_expired",
            AppError::validation("Verification token has expired; request a new one", vec![]),
        ));
    }
    let exhausted = || {
        (
            Some(stored.user_id),
            "contention",
            AppError::Conflict("The account is being changed; try again".into()),
        )
    };
    retry_on_conflict!(
        |_| {
            let user = ports
                .identity
                .users
                .find_by_id(stored.user_id)
                .await
                .map_err(|e| (Some(stored.user_id), "store_error", e.into()))?
                .ok_or_else(|| not_found(Some(stored.user_id)))?;
            let mut verified = user.clone();
            verified.is_verified = true;
            verified.updated_at = now;
            let carried = events.outbox_with([events.event(
                Some(user.id),
                EventPayload::EmailVerificationSucceeded {
                    email: user.email.as_str().to_owned(),
                },
            )]);
            ports
                .identity
                .one_time_tokens
                .redeem(&stored, now, &verified, &carried)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict(Conflict::StaleUser) => Attempt::Conflicted,
                    StoreError::Conflict(Conflict::TokenUsed) => {
                        Attempt::Failed(not_found(Some(user.id)))
                    }
                    e => Attempt::Failed((Some(user.id), "store_error", e.into())),
                })
        },
        exhausted()
    )
}
