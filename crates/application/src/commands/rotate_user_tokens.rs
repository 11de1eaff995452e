use dashtam_domain::events::{EventContext, EventPayload};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::{Principal, UserRotation},
    retry,
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
        let outcome = self.rotate(ports).await;
        match &outcome {
            Ok(r) => {
                events.push(
                    actor,
                    EventPayload::UserTokenRotationSucceeded {
                        target_user_id: target,
                        reason: self.reason.clone(),
                        previous_version: r.previous_version,
                        new_version: r.new_version,
                    },
                );
            }
            Err(e) => events.push(
                actor,
                EventPayload::UserTokenRotationFailed {
                    target_user_id: target,
                    reason: self.reason.clone(),
                    error: e.to_string(),
                },
            ),
        }
        events.publish(ports).await;
        outcome
    }

    async fn rotate(&self, ports: &Ports) -> Result<UserRotation, AppError> {
        let now = ports.clock.now();
        let global = ports.security_config.get().await?.global_min_token_version;
        for _ in 0..retry::MAX_ATTEMPTS {
            let mut user = ports
                .users
                .find_by_id(self.user_id)
                .await?
                .ok_or_else(|| AppError::NotFound("User not found".into()))?;
            let previous_version = user.min_token_version;
            user.min_token_version = global.max(previous_version) + 1;
            user.updated_at = now;
            match ports.users.save(&user).await {
                Ok(()) => {
                    ports
                        .sessions
                        .revoke_all(user.id, None, "token_rotation", now)
                        .await?;
                    return Ok(UserRotation {
                        user_id: user.id,
                        previous_version,
                        new_version: user.min_token_version,
                    });
                }
                Err(e) if retry::is_conflict(&e, "user") => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(
            "The account is being changed; try again".into(),
        ))
    }
}
