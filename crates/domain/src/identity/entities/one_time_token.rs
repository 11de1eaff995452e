use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identity::value_objects::TokenHash;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OneTimeTokenKind {
    EmailVerification,
    PasswordReset,
}

impl OneTimeTokenKind {
    pub fn lifetime(self) -> Duration {
        match self {
            Self::EmailVerification => Duration::hours(24),
            Self::PasswordReset => Duration::minutes(15),
        }
    }
}

/// A single-use token mailed to the user (64 hex characters); stored only as its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneTimeToken {
    pub hash: TokenHash,
    pub kind: OneTimeTokenKind,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl OneTimeToken {
    pub fn issue(
        hash: TokenHash,
        kind: OneTimeTokenKind,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            hash,
            kind,
            user_id,
            created_at: now,
            expires_at: now + kind.lifetime(),
            used_at: None,
        }
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}
