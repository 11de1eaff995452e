use dashtam_domain::{
    Conflict, StoreError,
    identity::{entities::OneTimeTokenKind, value_objects::Password},
    platform::events::{EventContext, EventPayload},
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    retry::{Attempt, retry_on_conflict},
};

/// Sets a new password with a reset token, then ends every session of the user.
pub struct ResetPassword {
    pub token: String,
    pub new_password: String,
    pub context: EventContext,
}

impl ResetPassword {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let mut events = EventBatch::new(&self.context, now);
        events.push(None, EventPayload::PasswordResetConfirmAttempted {});
        let result = self.apply(ports, &mut events).await;
        if let Err((user_id, reason, _)) = &result {
            events.push(
                *user_id,
                EventPayload::PasswordResetConfirmFailed {
                    reason: (*reason).into(),
                },
            );
        }
        events.append_to_outbox(ports).await;
        result.map_err(|(_, _, e)| e)
    }

    async fn apply(
        &self,
        ports: &Ports,
        events: &mut EventBatch,
    ) -> Result<(), (Option<Uuid>, &'static str, AppError)> {
        let now = ports.clock.now();
        let not_found = |user| {
            (
                user,
                "token_not_found",
                AppError::NotFound("Reset token not found or already used".into()),
            )
        };
        let internal = |user, e: StoreError| (user, "store_error", AppError::from(e));

        let password = Password::parse(&self.new_password, "new_password").map_err(|errors| {
            (
                None,
                "weak_password",
                AppError::validation("Password does not meet the requirements", errors),
            )
        })?;
        let hash = ports.identity.opaque_tokens.hash(&self.token);
        let stored = ports
            .identity
            .one_time_tokens
            .find(OneTimeTokenKind::PasswordReset, &hash)
            .await
            .map_err(|e| internal(None, e))?
            .filter(|t| t.used_at.is_none())
            .ok_or_else(|| not_found(None))?;
        let owner = Some(stored.user_id);
        if stored.is_expired(now) {
            return Err((
                owner,
                "token_expired",
                AppError::validation("Reset token has expired; request a new one", vec![]),
            ));
        }
        let password_hash = ports
            .identity
            .hasher
            .hash(&password)
            .await
            .map_err(|e| (owner, "hash_error", AppError::Internal(e.to_string())))?;

        let exhausted = || {
            (
                owner,
                "contention",
                AppError::Conflict("The account is being changed; try again".into()),
            )
        };
        let user = retry_on_conflict!(
            |_| {
                let user = ports
                    .identity
                    .users
                    .find_by_id(stored.user_id)
                    .await
                    .map_err(|e| internal(owner, e))?
                    .ok_or_else(|| not_found(owner))?;
                let mut updated = user.clone();
                updated.password_hash = password_hash.clone();
                // Every session ends with this write; revoking their items below is cleanup.
                updated.sessions_valid_from = Some(now);
                // Proving control of the inbox also lifts a lockout.
                updated.reset_failed_logins(now);
                ports
                    .identity
                    .one_time_tokens
                    .redeem(&stored, now, &updated, &events.outbox_with([]))
                    .await
                    .map_err(|e| match e {
                        StoreError::Conflict(Conflict::StaleUser) => Attempt::Conflicted,
                        StoreError::Conflict(Conflict::TokenUsed) => {
                            Attempt::Failed(not_found(owner))
                        }
                        e => Attempt::Failed(internal(owner, e)),
                    })?;
                events.mark_outboxed();
                Ok(updated)
            },
            exhausted()
        )?;
        let email = user.email.as_str();
        ports
            .identity
            .sessions
            .revoke_all(user.id, None, "password_reset", now, &|revoked| {
                vec![
                    events.event(
                        owner,
                        EventPayload::AllSessionsRevoked {
                            reason: "password_reset".into(),
                            revoked_count: revoked,
                        },
                    ),
                    events.event(
                        owner,
                        EventPayload::PasswordResetConfirmSucceeded {
                            email: email.to_owned(),
                            sessions_revoked: revoked,
                        },
                    ),
                ]
            })
            .await
            .map_err(|e| internal(owner, e))?;
        Ok(())
    }
}
