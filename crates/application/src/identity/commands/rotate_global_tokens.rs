use dashtam_domain::{
    Conflict,
    platform::events::{EventContext, EventPayload},
};

use crate::{
    AppError, EventBatch, Ports,
    dto::{GlobalRotation, Principal},
    retry::{self, retry_on_conflict},
};

/// Breach response: raises the global token-version floor by one (with a grace period).
pub struct RotateGlobalTokens {
    pub admin: Principal,
    pub reason: String,
    pub context: EventContext,
}

impl RotateGlobalTokens {
    pub async fn execute(self, ports: &Ports) -> Result<GlobalRotation, AppError> {
        let now = ports.clock.now();
        let actor = Some(self.admin.user_id);
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            actor,
            EventPayload::GlobalTokenRotationAttempted {
                reason: self.reason.clone(),
            },
        );
        let exhausted =
            || AppError::Conflict("Security configuration is being changed; try again".into());
        let outcome = retry_on_conflict!(
            |_| {
                let mut config = ports
                    .identity
                    .security_config
                    .get()
                    .await
                    .map_err(AppError::from)?;
                let (previous_version, new_version) = config.rotate(self.reason.clone(), now);
                let succeeded = events.event(
                    actor,
                    EventPayload::GlobalTokenRotationSucceeded {
                        reason: self.reason.clone(),
                        previous_version,
                        new_version,
                    },
                );
                ports
                    .identity
                    .security_config
                    .save(&config, &events.outbox_with([succeeded]))
                    .await
                    .map_err(retry::unless(Conflict::StaleSecurityConfig, AppError::from))?;
                events.mark_outboxed();
                Ok(GlobalRotation {
                    previous_version,
                    new_version,
                    grace_period_seconds: config.grace_period_seconds,
                })
            },
            exhausted()
        );
        if let Err(e) = &outcome {
            events.push(
                actor,
                EventPayload::GlobalTokenRotationFailed {
                    reason: self.reason.clone(),
                    error: e.to_string(),
                },
            );
        }
        events.append_to_outbox(ports).await;
        outcome
    }
}
