use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Role, SessionTier};
use crate::identity::value_objects::Email;

/// A person with an account. Mutable: every save is guarded by `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    pub password_hash: String,
    pub is_verified: bool,
    pub is_active: bool,
    pub failed_login_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub roles: BTreeSet<Role>,
    pub session_tier: SessionTier,
    /// Admin override of the tier's session limit.
    pub max_sessions: Option<u32>,
    /// Refresh tokens below this version are refused (per-user rotation).
    pub min_token_version: u64,
    /// One-time-token emails (resets, verification resends) in the current hour.
    pub mail_window_start: Option<DateTime<Utc>>,
    pub mails_in_window: u32,
    /// Sessions created before this instant are dead. Set by a password reset and a
    /// per-user rotation in the same write as the change itself, so the old sessions end
    /// even if marking each of them revoked, which follows, never happens.
    pub sessions_valid_from: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock counter: the version this copy was read at.
    pub version: u64,
}

/// Why a login is refused before the password is even considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    Unverified,
    Locked,
    Inactive,
}

impl User {
    pub const LOCK_AFTER_FAILURES: u32 = 5;
    pub const LOCK_DURATION: Duration = Duration::minutes(15);
    pub const MAILS_PER_HOUR: u32 = 3;

    pub fn register(id: Uuid, email: Email, password_hash: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            email,
            password_hash,
            is_verified: false,
            is_active: true,
            failed_login_attempts: 0,
            locked_until: None,
            roles: BTreeSet::from([Role::User]),
            session_tier: SessionTier::default(),
            max_sessions: None,
            min_token_version: 1,
            mail_window_start: None,
            mails_in_window: 0,
            sessions_valid_from: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Whether a session created at `created_at` may still be used.
    pub fn accepts_session_from(&self, created_at: DateTime<Utc>) -> bool {
        self.sessions_valid_from
            .is_none_or(|from| created_at >= from)
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// The login checks that come before the password, in the contract's order.
    pub fn login_refusal(&self, now: DateTime<Utc>) -> Option<LoginRefusal> {
        if !self.is_verified {
            Some(LoginRefusal::Unverified)
        } else if self.is_locked(now) {
            Some(LoginRefusal::Locked)
        } else if !self.is_active {
            Some(LoginRefusal::Inactive)
        } else {
            None
        }
    }

    /// Counts a wrong password; the 5th consecutive one locks the account. Returns true if
    /// this failure locked it.
    pub fn record_failed_login(&mut self, now: DateTime<Utc>) -> bool {
        self.failed_login_attempts += 1;
        self.updated_at = now;
        if self.failed_login_attempts >= Self::LOCK_AFTER_FAILURES {
            self.locked_until = Some(now + Self::LOCK_DURATION);
            // Start counting afresh once the lock runs out.
            self.failed_login_attempts = 0;
            return true;
        }
        false
    }

    /// Whether a successful login has anything to reset (saves a write when not).
    pub fn has_login_failures(&self) -> bool {
        self.failed_login_attempts > 0 || self.locked_until.is_some()
    }

    pub fn reset_failed_logins(&mut self, now: DateTime<Utc>) {
        self.failed_login_attempts = 0;
        self.locked_until = None;
        self.updated_at = now;
    }

    /// `None` is unlimited: the admin override first, then the tier.
    pub fn max_sessions(&self) -> Option<u32> {
        self.max_sessions.or(self.session_tier.max_sessions())
    }

    /// Takes one slot of the hourly token-email budget; false when it is spent.
    pub fn take_mail_slot(&mut self, now: DateTime<Utc>) -> bool {
        let window_open = self
            .mail_window_start
            .is_some_and(|start| now - start < Duration::hours(1));
        if !window_open {
            self.mail_window_start = Some(now);
            self.mails_in_window = 0;
        }
        if self.mails_in_window >= Self::MAILS_PER_HOUR {
            return false;
        }
        self.mails_in_window += 1;
        self.updated_at = now;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(now: DateTime<Utc>) -> User {
        let mut u = User::register(
            Uuid::now_v7(),
            Email::parse("a@b.co").unwrap(),
            "h".into(),
            now,
        );
        u.is_verified = true;
        u
    }

    #[test]
    fn sessions_from_before_a_cut_off_are_refused() {
        let now = Utc::now();
        let mut u = user(now);
        assert!(u.accepts_session_from(now - Duration::days(3)));
        u.sessions_valid_from = Some(now);
        assert!(!u.accepts_session_from(now - Duration::seconds(1)));
        assert!(u.accepts_session_from(now));
        assert!(u.accepts_session_from(now + Duration::seconds(1)));
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let now = Utc::now();
        let mut u = user(now);
        for _ in 0..4 {
            assert!(!u.record_failed_login(now));
        }
        assert!(u.record_failed_login(now));
        assert_eq!(u.login_refusal(now), Some(LoginRefusal::Locked));
        assert_eq!(
            u.login_refusal(now + Duration::minutes(14)),
            Some(LoginRefusal::Locked)
        );
        assert_eq!(u.login_refusal(now + Duration::minutes(15)), None);
    }

    #[test]
    fn refusal_order_is_unverified_locked_inactive() {
        let now = Utc::now();
        let mut u = user(now);
        u.is_verified = false;
        u.is_active = false;
        u.locked_until = Some(now + Duration::minutes(1));
        assert_eq!(u.login_refusal(now), Some(LoginRefusal::Unverified));
        u.is_verified = true;
        assert_eq!(u.login_refusal(now), Some(LoginRefusal::Locked));
        u.locked_until = None;
        assert_eq!(u.login_refusal(now), Some(LoginRefusal::Inactive));
    }

    #[test]
    fn three_token_emails_per_hour() {
        let now = Utc::now();
        let mut u = user(now);
        assert!(u.take_mail_slot(now));
        assert!(u.take_mail_slot(now));
        assert!(u.take_mail_slot(now));
        assert!(!u.take_mail_slot(now + Duration::minutes(59)));
        assert!(u.take_mail_slot(now + Duration::minutes(61)));
    }

    #[test]
    fn session_limit_prefers_override() {
        let mut u = user(Utc::now());
        assert_eq!(u.max_sessions(), Some(2));
        u.session_tier = SessionTier::Pro;
        assert_eq!(u.max_sessions(), None);
        u.max_sessions = Some(7);
        assert_eq!(u.max_sessions(), Some(7));
    }
}
