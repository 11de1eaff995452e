//! Who is calling: established once per request by the HTTP layer, passed to use cases.

use std::collections::BTreeSet;

use dashtam_domain::identity::entities::{Permission, Role, User};
use uuid::Uuid;

use crate::AppError;

/// The authenticated caller, established from a verified access token, a live session and
/// the user as stored right now.
#[derive(Clone, PartialEq)]
pub struct Principal {
    pub user_id: Uuid,
    pub email: String,
    pub session_id: Uuid,
    /// Effective roles now (stored roles plus configured admin; none if deactivated).
    pub roles: BTreeSet<Role>,
    /// The user as read with the session (saves a second read for the profile).
    pub user: User,
}

/// Leaves the user record (password hash and all) out of logs.
impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl Principal {
    /// 403 unless one of the caller's current roles grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if Role::any_grants(&self.roles, permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "This action requires the '{}' permission (role '{}' or higher)",
                permission.as_str(),
                permission.minimum_role().as_str()
            )))
        }
    }
}
