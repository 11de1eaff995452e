use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identity::{entities::Session, value_objects::TokenHash};

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

    /// The token `session` starts with (its `current_refresh_hash`), issued with it.
    pub fn first_of(session: &Session, token_version: u64) -> Self {
        Self {
            hash: session.current_refresh_hash.clone(),
            user_id: session.user_id,
            session_id: session.id,
            token_version,
            created_at: session.created_at,
            expires_at: session.created_at + Self::LIFETIME,
            rotated_at: None,
        }
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}
