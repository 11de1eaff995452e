//! What use cases answer with.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dashtam_domain::identity::entities::{Role, Session, SessionTier};
use uuid::Uuid;

pub use crate::principal::Principal;

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
