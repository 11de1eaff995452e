//! What use cases answer with.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dashtam_domain::entities::{Permission, Role, Session, SessionTier, User};
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

#[derive(Debug, Clone)]
pub struct RegisteredUser {
    pub id: Uuid,
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: Uuid,
    pub device_info: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub is_current: bool,
    pub is_revoked: bool,
}

impl SessionView {
    pub fn of(s: &Session, current: Uuid) -> Self {
        Self {
            id: s.id,
            device_info: s.device_info.clone(),
            ip_address: s.ip_address.clone(),
            location: s.location.clone(),
            created_at: s.created_at,
            last_activity_at: s.last_activity_at,
            expires_at: s.expires_at,
            is_current: s.id == current,
            is_revoked: s.is_revoked(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
    pub total_count: usize,
    pub active_count: usize,
}

#[derive(Debug, Clone)]
pub struct UserProfile {
    pub id: Uuid,
    pub email: String,
    pub is_verified: bool,
    pub roles: BTreeSet<Role>,
    pub session_tier: SessionTier,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct GlobalRotation {
    pub previous_version: u64,
    pub new_version: u64,
    pub grace_period_seconds: u64,
}

#[derive(Debug, Clone)]
pub struct UserRotation {
    pub user_id: Uuid,
    pub previous_version: u64,
    pub new_version: u64,
}

/// A user's roles after a grant or revocation.
#[derive(Debug, Clone)]
pub struct UserRoles {
    pub user_id: Uuid,
    /// Effective roles (stored plus configured admin).
    pub roles: BTreeSet<Role>,
    /// False when the grant or revocation found nothing to do (idempotent repeat).
    pub changed: bool,
}
