use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identity::value_objects::TokenHash;

/// One login. Its refresh-token chain lives and dies with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub device_info: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    /// The one refresh token that may be presented next; rotation swaps it atomically.
    pub current_refresh_hash: TokenHash,
}

impl Session {
    pub const LIFETIME: Duration = Duration::days(30);

    /// A new live session of `user_id` from `now`, whose first refresh token hashes to
    /// `refresh_hash`; where it comes from (device, agent, IP) is for the caller to fill in.
    pub fn start(user_id: Uuid, now: DateTime<Utc>, refresh_hash: TokenHash) -> Self {
        Self {
            id: dashtam_core::new_id(),
            user_id,
            device_info: None,
            user_agent: None,
            ip_address: None,
            location: None,
            created_at: now,
            last_activity_at: now,
            expires_at: now + Self::LIFETIME,
            revoked_at: None,
            revoked_reason: None,
            current_refresh_hash: refresh_hash,
        }
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        !self.is_revoked() && self.expires_at > now
    }
}
