use dashtam_domain::{
    Conflict,
    platform::events::{EventContext, EventPayload},
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::{Principal, UserRotation},
    retry::{self, retry_on_conflict},
};

/// Kills every token one user holds, at once: the user's floor moves above anything issued
/// so far (`max(global, user) + 1`, so tokens issued afterwards pass), and their sessions
/// end so access tokens stop working too.
pub struct RotateUserTokens {
    pub admin: Principal,
    pub user_id: Uuid,
    pub reason: String,
    pub context: EventContext,
}

impl RotateUserTokens {
    pub async fn execute(self, ports: &Ports) -> Result<UserRotation, AppError> {
        let now = ports.clock.now();
        let actor = Some(self.admin.user_id);
        let target = self.user_id;
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            actor,
            EventPayload::UserTokenRotationAttempted {
                target_user_id: target,
                reason: self.reason.clone(),
            },
        );
        let outcome = self.rotate(ports, &mut events).await;
        if let Err(e) = &outcome {
            events.push(
                actor,
                EventPayload::UserTokenRotationFailed {
                    target_user_id: target,
                    reason: self.reason.clone(),
                    error: e.to_string(),
                },
            );
        }
        events.append_to_outbox(ports).await;
        outcome
    }

    async fn rotate(
        &self,
        ports: &Ports,
        events: &mut EventBatch,
    ) -> Result<UserRotation, AppError> {
        let now = ports.clock.now();
        let global = ports
            .identity
            .security_config
            .get()
            .await?
            .global_min_token_version;
        let exhausted = || AppError::Conflict("The account is being changed; try again".into());
        retry_on_conflict!(
            |_| {
                let mut user = ports
                    .identity
                    .users
                    .find_by_id(self.user_id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("User not found".into()))?;
                let previous_version = user.min_token_version;
                user.min_token_version = global.max(previous_version) + 1;
                // Access tokens die with their sessions, in this same write.
                user.sessions_valid_from = Some(now);
                user.updated_at = now;
                let succeeded = events.event(
                    Some(self.admin.user_id),
                    EventPayload::UserTokenRotationSucceeded {
                        target_user_id: user.id,
                        reason: self.reason.clone(),
                        previous_version,
                        new_version: user.min_token_version,
                    },
                );
                ports
                    .identity
                    .users
                    .save(&user, &events.outbox_with([succeeded]))
                    .await
                    .map_err(retry::unless(Conflict::StaleUser, AppError::from))?;
                events.mark_outboxed();
                // The new minimum already ends every token; this ends the sessions too.
                ports
                    .identity
                    .sessions
                    .revoke_all(user.id, None, "token_rotation", now, &|count| {
                        vec![events.event(
                            Some(user.id),
                            EventPayload::AllSessionsRevoked {
                                reason: "token_rotation".into(),
                                revoked_count: count,
                            },
                        )]
                    })
                    .await
                    .map_err(AppError::from)?;
                Ok(UserRotation {
                    user_id: user.id,
                    previous_version,
                    new_version: user.min_token_version,
                })
            },
            exhausted()
        )
    }
}
