use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identity::value_objects::TokenHash;

/// A refresh token, known only by its hash. Kept after rotation (with `rotated_at`) until
/// it expires, so that presenting it again is recognised as reuse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub hash: TokenHash,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub token_version: u64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
}

impl RefreshToken {
    pub const LIFETIME: Duration = Duration::days(30);

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}
