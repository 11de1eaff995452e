use dashtam_domain::{
    Conflict,
    identity::entities::{Permission, Role},
    platform::events::{EventContext, EventPayload},
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::{Principal, UserRoles},
    retry::{self, retry_on_conflict},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    Grant,
    Revoke,
}

/// An admin grants or revokes one role of a user. Idempotent: granting a held role or
/// revoking one not held changes nothing and says so (`changed = false`). The change
/// counts from the user's next request (authentication reads the current roles).
///
/// Refused with 409, nothing written: an admin revoking their own admin role (so the last
/// admin cannot lock everyone out), and revoking admin from a user whose email is in
/// `DASHTAM_ADMIN_EMAILS` (configuration would keep granting it; change the setting).
pub struct ChangeRole {
    pub admin: Principal,
    pub user_id: Uuid,
    pub role: Role,
    pub change: RoleChange,
    pub context: EventContext,
}

impl ChangeRole {
    pub async fn execute(self, ports: &Ports) -> Result<UserRoles, AppError> {
        let now = ports.clock.now();
        let actor = Some(self.admin.user_id);
        let target_user_id = self.user_id;
        let role = self.role.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            actor,
            match self.change {
                RoleChange::Grant => EventPayload::RoleGrantAttempted {
                    target_user_id,
                    role: role.clone(),
                },
                RoleChange::Revoke => EventPayload::RoleRevokeAttempted {
                    target_user_id,
                    role: role.clone(),
                },
            },
        );
        let outcome = self.apply(ports, &mut events).await;
        if let Err((reason, _)) = &outcome {
            events.push(
                actor,
                match self.change {
                    RoleChange::Grant => EventPayload::RoleGrantFailed {
                        target_user_id,
                        role,
                        reason: reason.clone(),
                    },
                    RoleChange::Revoke => EventPayload::RoleRevokeFailed {
                        target_user_id,
                        role,
                        reason: reason.clone(),
                    },
                },
            );
        }
        events.append_to_outbox(ports).await;
        outcome.map_err(|(_, e)| e)
    }

    /// The success event for the outcome `r`.
    fn succeeded(&self, r: &UserRoles) -> EventPayload {
        let (target_user_id, role) = (self.user_id, self.role.as_str().to_owned());
        match self.change {
            RoleChange::Grant => EventPayload::RoleGrantSucceeded {
                target_user_id,
                role,
                already_held: !r.changed,
                roles: names(r),
            },
            RoleChange::Revoke => EventPayload::RoleRevokeSucceeded {
                target_user_id,
                role,
                was_held: r.changed,
                roles: names(r),
            },
        }
    }

    /// Fails with a short reason for the audit trail (internal causes stay in the logs).
    /// The success event travels with the save (or alone when nothing changed).
    async fn apply(
        &self,
        ports: &Ports,
        events: &mut EventBatch,
    ) -> Result<UserRoles, (String, AppError)> {
        let actor = Some(self.admin.user_id);
        let fail = |reason: &str, e: AppError| (reason.to_owned(), e);
        let internal = |e: dashtam_domain::StoreError| fail("storage_error", e.into());
        // The route checks this too; the use case does not rely on it.
        self.admin
            .require(Permission::ManageUsers)
            .map_err(|e| fail("forbidden", e))?;
        let revoking_admin = self.change == RoleChange::Revoke && self.role == Role::Admin;
        if revoking_admin && self.user_id == self.admin.user_id {
            return Err(fail(
                "own_admin_role",
                AppError::Conflict(
                    "You cannot revoke your own admin role; another admin must do it.".into(),
                ),
            ));
        }
        let now = ports.clock.now();
        let exhausted = || {
            fail(
                "concurrent_modification",
                AppError::Conflict("The account is being changed; try again".into()),
            )
        };
        retry_on_conflict!(
            |_| {
                let mut user = ports
                    .identity
                    .users
                    .find_by_id(self.user_id)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| {
                        fail(
                            "user_not_found",
                            AppError::NotFound("User not found".into()),
                        )
                    })?;
                if revoking_admin
                    && ports
                        .identity
                        .settings
                        .admin_emails
                        .contains(user.email.as_str())
                {
                    return Err(fail(
                    "configured_admin",
                    AppError::Conflict(
                        "This user is an admin through configuration (DASHTAM_ADMIN_EMAILS) and stays one; remove the email from that setting to revoke it.".into(),
                    ),
                ).into());
                }
                let changed = match self.change {
                    RoleChange::Grant => user.roles.insert(self.role),
                    RoleChange::Revoke => user.roles.remove(&self.role),
                };
                let result = UserRoles {
                    user_id: user.id,
                    roles: ports.identity.settings.effective_roles(&user),
                    changed,
                };
                if !changed {
                    events.push(actor, self.succeeded(&result));
                    return Ok(result);
                }
                user.updated_at = now;
                let succeeded = events.event(actor, self.succeeded(&result));
                ports
                    .identity
                    .users
                    .save(&user, &events.outbox_with([succeeded]))
                    .await
                    .map_err(retry::unless(Conflict::StaleUser, internal))?;
                events.mark_outboxed();
                Ok(result)
            },
            exhausted()
        )
    }
}

fn names(r: &UserRoles) -> Vec<String> {
    r.roles.iter().map(|r| r.as_str().to_owned()).collect()
}
