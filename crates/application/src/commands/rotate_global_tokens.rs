use dashtam_domain::events::{EventContext, EventPayload};

use crate::{
    AppError, EventBatch, Ports,
    dto::{GlobalRotation, Principal},
    retry,
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
        let mut outcome = Err(AppError::Conflict(
            "Security configuration is being changed; try again".into(),
        ));
        for _ in 0..retry::MAX_ATTEMPTS {
            let mut config = match ports.security_config.get().await {
                Ok(c) => c,
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            };
            let (previous_version, new_version) = config.rotate(self.reason.clone(), now);
            let succeeded = events.event(
                actor,
                EventPayload::GlobalTokenRotationSucceeded {
                    reason: self.reason.clone(),
                    previous_version,
                    new_version,
                },
            );
            match ports
                .security_config
                .save(&config, &events.carry([succeeded]))
                .await
            {
                Ok(()) => {
                    events.committed();
                    outcome = Ok(GlobalRotation {
                        previous_version,
                        new_version,
                        grace_period_seconds: config.grace_period_seconds,
                    });
                    break;
                }
                Err(e) if retry::is_conflict(&e, "security_config") => continue,
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            }
        }
        if let Err(e) = &outcome {
            events.push(
                actor,
                EventPayload::GlobalTokenRotationFailed {
                    reason: self.reason.clone(),
                    error: e.to_string(),
                },
            );
        }
        events.record(ports).await;
        outcome
    }
}
