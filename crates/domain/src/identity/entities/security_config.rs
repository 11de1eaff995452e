use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The global token-version floor, raised by a breach rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityConfig {
    pub global_min_token_version: u64,
    pub grace_period_seconds: u64,
    pub last_rotation_at: Option<DateTime<Utc>>,
    pub last_rotation_reason: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Optimistic-lock counter; 0 means "never stored".
    pub version: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            global_min_token_version: 1,
            grace_period_seconds: 300,
            last_rotation_at: None,
            last_rotation_reason: None,
            updated_at: None,
            version: 0,
        }
    }
}

impl SecurityConfig {
    /// The version a token issued now must carry for `user_min`.
    pub fn issue_version(&self, user_min: u64) -> u64 {
        self.global_min_token_version.max(user_min)
    }

    /// Whether a refresh token of `token_version` must be refused.
    ///
    /// The user's floor applies at once; the global floor tolerates one version below it
    /// for the grace period after a rotation.
    pub fn rejects(&self, token_version: u64, user_min: u64, now: DateTime<Utc>) -> bool {
        if token_version < user_min {
            return true;
        }
        if token_version >= self.global_min_token_version {
            return false;
        }
        let in_grace = self.last_rotation_at.is_some_and(|at| {
            (now - at).num_seconds() <= i64::try_from(self.grace_period_seconds).unwrap_or(i64::MAX)
        });
        !(in_grace && token_version + 1 >= self.global_min_token_version)
    }

    pub fn rotate(&mut self, reason: String, now: DateTime<Utc>) -> (u64, u64) {
        let previous = self.global_min_token_version;
        self.global_min_token_version += 1;
        self.last_rotation_at = Some(now);
        self.last_rotation_reason = Some(reason);
        self.updated_at = Some(now);
        (previous, self.global_min_token_version)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn global_rotation_has_a_grace_period_of_one_version() {
        let now = Utc::now();
        let mut c = SecurityConfig::default();
        c.rotate("breach".into(), now);
        assert_eq!(c.global_min_token_version, 2);
        assert!(!c.rejects(1, 1, now + Duration::seconds(300)));
        assert!(c.rejects(1, 1, now + Duration::seconds(301)));
        c.rotate("again".into(), now);
        assert!(
            c.rejects(1, 1, now),
            "two versions below is never tolerated"
        );
        assert!(!c.rejects(2, 1, now));
    }

    #[test]
    fn user_floor_has_no_grace_and_new_tokens_pass_it() {
        let now = Utc::now();
        let c = SecurityConfig::default();
        let user_min = c.issue_version(1) + 1; // a per-user rotation
        assert!(c.rejects(1, user_min, now));
        assert!(!c.rejects(c.issue_version(user_min), user_min, now));
    }
}
