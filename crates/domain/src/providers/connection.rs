use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::providers::{ProviderSlug, SealedCredentials};

crate::named_enum! {
    pub enum ConnectionStatus {
        Pending = "pending", Active = "active", Expired = "expired", Revoked = "revoked",
        Failed = "failed", Disconnected = "disconnected",
    }
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a {from} connection")]
pub struct IllegalTransition {
    pub from: ConnectionStatus,
    pub action: &'static str,
}

/// A user's link to one provider login. A user may hold several per provider, told apart
/// by alias. Credentials exist exactly while it is active (and while it is expired,
/// revoked or failed, so a reconnect can replace them; a disconnect erases them).
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConnection {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider_slug: ProviderSlug,
    pub alias: Option<String>,
    pub status: ConnectionStatus,
    pub credentials: Option<SealedCredentials>,
    /// When the access token lapses (refresh before then); `None` for API keys.
    pub access_expires_at: Option<DateTime<Utc>>,
    /// When the grant itself lapses (Schwab's refresh token); `None` when it does not.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// When the user was told the current grant lapses soon (once per grant; a new grant
    /// clears it).
    pub grant_expiry_notified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic lock: what the store holds; a save writes `version + 1`.
    pub version: u64,
}

/// The non-secret facts of a new set of credentials.
#[derive(Debug, Clone)]
pub struct Grant {
    pub sealed: SealedCredentials,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl ProviderConnection {
    pub fn pending(
        id: Uuid,
        user_id: Uuid,
        provider_slug: ProviderSlug,
        alias: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            provider_slug,
            alias,
            status: ConnectionStatus::Pending,
            credentials: None,
            access_expires_at: None,
            refresh_expires_at: None,
            connected_at: None,
            last_sync_at: None,
            grant_expiry_notified_at: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// A statement-file connection: active from the start, with no credentials (there is
    /// no API to call) and nothing to expire.
    pub fn file_import(id: Uuid, user_id: Uuid, now: DateTime<Utc>) -> Self {
        Self {
            status: ConnectionStatus::Active,
            connected_at: Some(now),
            ..Self::pending(id, user_id, ProviderSlug::ChaseFile, None, now)
        }
    }

    fn refuse(&self, action: &'static str) -> IllegalTransition {
        IllegalTransition {
            from: self.status,
            action,
        }
    }

    /// Active with new credentials: from pending, expired, revoked or failed.
    pub fn connect(&mut self, grant: Grant, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
        use ConnectionStatus::*;
        if !matches!(self.status, Pending | Expired | Revoked | Failed) {
            return Err(self.refuse("connect"));
        }
        self.status = Active;
        self.set_grant(grant);
        self.connected_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// New credentials for an active connection (a token refresh).
    pub fn refresh_credentials(
        &mut self,
        grant: Grant,
        now: DateTime<Utc>,
    ) -> Result<(), IllegalTransition> {
        if self.status != ConnectionStatus::Active {
            return Err(self.refuse("refresh the credentials of"));
        }
        self.set_grant(grant);
        self.updated_at = now;
        Ok(())
    }

    fn set_grant(&mut self, grant: Grant) {
        if grant.refresh_expires_at != self.refresh_expires_at {
            self.grant_expiry_notified_at = None;
        }
        self.credentials = Some(grant.sealed);
        self.access_expires_at = grant.access_expires_at;
        self.refresh_expires_at = grant.refresh_expires_at;
    }

    /// The provider refused the grant (a lapsed refresh token): from active only.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
        self.leave_active(ConnectionStatus::Expired, "expire", now)
    }

    /// The user or provider withdrew consent: from active only.
    pub fn revoke(&mut self, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
        self.leave_active(ConnectionStatus::Revoked, "revoke", now)
    }

    fn leave_active(
        &mut self,
        to: ConnectionStatus,
        action: &'static str,
        now: DateTime<Utc>,
    ) -> Result<(), IllegalTransition> {
        if self.status != ConnectionStatus::Active {
            return Err(self.refuse(action));
        }
        self.status = to;
        self.updated_at = now;
        Ok(())
    }

    /// Connecting never completed: from pending only.
    pub fn fail(&mut self, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
        if self.status != ConnectionStatus::Pending {
            return Err(self.refuse("fail"));
        }
        self.status = ConnectionStatus::Failed;
        self.updated_at = now;
        Ok(())
    }

    /// From any state; the credentials are erased, the row and its history kept.
    pub fn disconnect(&mut self, now: DateTime<Utc>) {
        self.status = ConnectionStatus::Disconnected;
        self.credentials = None;
        self.access_expires_at = None;
        self.refresh_expires_at = None;
        self.updated_at = now;
    }

    /// A sync ran: active only.
    pub fn record_sync(&mut self, now: DateTime<Utc>) -> Result<(), IllegalTransition> {
        if self.status != ConnectionStatus::Active {
            return Err(self.refuse("sync"));
        }
        self.last_sync_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    pub fn is_connected(&self) -> bool {
        self.status == ConnectionStatus::Active && self.credentials.is_some()
    }

    /// The user must go through the provider's consent again: the provider refused the
    /// grant, or the grant itself has lapsed even if no call has failed yet.
    pub fn needs_reauthentication(&self, now: DateTime<Utc>) -> bool {
        use ConnectionStatus::*;
        matches!(self.status, Expired | Revoked | Failed)
            || (self.status == Active && self.refresh_expires_at.is_some_and(|t| t <= now))
    }

    /// When the grant lapses, if that is within `window` of `now` (and not yet past), the
    /// connection is active and the user has not been told about this grant yet.
    pub fn grant_expiry_due(
        &self,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Option<DateTime<Utc>> {
        self.refresh_expires_at.filter(|&at| {
            self.status == ConnectionStatus::Active
                && self.grant_expiry_notified_at.is_none()
                && now < at
                && at <= now + window
        })
    }

    /// Records that the user was told the grant lapses soon: active only.
    pub fn mark_grant_expiry_notified(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<(), IllegalTransition> {
        if self.status != ConnectionStatus::Active {
            return Err(self.refuse("notify the grant expiry of"));
        }
        self.grant_expiry_notified_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// The access token lapses within `leeway` (refresh before using it).
    pub fn access_expiring(&self, now: DateTime<Utc>, leeway: chrono::Duration) -> bool {
        self.access_expires_at.is_some_and(|t| t <= now + leeway)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionStatus::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap()
    }

    fn grant() -> Grant {
        Grant {
            sealed: SealedCredentials(vec![1, 2, 3]),
            access_expires_at: Some(now() + chrono::Duration::minutes(30)),
            refresh_expires_at: Some(now() + chrono::Duration::days(7)),
        }
    }

    fn in_state(status: ConnectionStatus) -> ProviderConnection {
        let mut c = ProviderConnection::pending(
            Uuid::nil(),
            Uuid::nil(),
            ProviderSlug::Schwab,
            None,
            now(),
        );
        c.status = status;
        if status != Pending && status != Disconnected {
            c.credentials = Some(SealedCredentials(vec![9]));
        }
        c
    }

    /// Every (state, action) pair: the table of API.md, allowed ones move, the rest refuse
    /// and change nothing.
    #[test]
    fn every_transition_follows_the_state_machine() {
        type Act = fn(&mut ProviderConnection) -> Result<(), IllegalTransition>;
        let actions: [(&str, Act, ConnectionStatus, &[ConnectionStatus]); 6] = [
            (
                "connect",
                |c| c.connect(grant(), now()),
                Active,
                &[Pending, Expired, Revoked, Failed],
            ),
            ("expire", |c| c.expire(now()), Expired, &[Active]),
            ("revoke", |c| c.revoke(now()), Revoked, &[Active]),
            ("fail", |c| c.fail(now()), Failed, &[Pending]),
            (
                "refresh",
                |c| c.refresh_credentials(grant(), now()),
                Active,
                &[Active],
            ),
            ("sync", |c| c.record_sync(now()), Active, &[Active]),
        ];
        for (name, act, to, allowed) in actions {
            for from in ConnectionStatus::ALL.iter().copied() {
                let mut c = in_state(from);
                let before = c.clone();
                match act(&mut c) {
                    Ok(()) => {
                        assert!(
                            allowed.contains(&from),
                            "{name} from {from} must be refused"
                        );
                        assert_eq!(c.status, to, "{name} from {from}");
                    }
                    Err(e) => {
                        assert!(
                            !allowed.contains(&from),
                            "{name} from {from} must be allowed"
                        );
                        assert_eq!(
                            e,
                            IllegalTransition {
                                from,
                                action: e.action
                            }
                        );
                        assert_eq!(c, before, "a refused {name} changes nothing");
                    }
                }
            }
        }
    }

    #[test]
    fn a_grant_expiry_is_due_once_per_grant_within_the_window() {
        let day = chrono::Duration::hours(24);
        let mut c = in_state(Pending);
        c.connect(grant(), now()).unwrap();
        assert_eq!(c.grant_expiry_due(now(), day), None, "7 days away");
        let soon = now() + chrono::Duration::days(6) + chrono::Duration::hours(1);
        assert_eq!(c.grant_expiry_due(soon, day), c.refresh_expires_at);
        c.mark_grant_expiry_notified(soon).unwrap();
        assert_eq!(c.grant_expiry_due(soon, day), None, "told once");
        // Refreshing keeps the grant (and the notice); a reconnect is a new grant.
        let mut refreshed = grant();
        refreshed.access_expires_at = Some(soon + chrono::Duration::minutes(30));
        c.refresh_credentials(refreshed, soon).unwrap();
        assert!(c.grant_expiry_notified_at.is_some());
        c.expire(soon).unwrap();
        assert_eq!(c.grant_expiry_due(soon, day), None, "not active");
        let mut renewed = grant();
        renewed.refresh_expires_at = Some(soon + chrono::Duration::days(7));
        c.connect(renewed, soon).unwrap();
        assert!(c.grant_expiry_notified_at.is_none());
        assert_eq!(
            c.grant_expiry_due(soon + chrono::Duration::days(8), day),
            None,
            "a lapsed grant is for the refusal path, not a notice"
        );
    }

    #[test]
    fn disconnect_from_any_state_erases_the_credentials() {
        for from in ConnectionStatus::ALL.iter().copied() {
            let mut c = in_state(from);
            c.disconnect(now());
            assert_eq!(c.status, Disconnected);
            assert!(c.credentials.is_none() && c.access_expires_at.is_none());
            assert!(!c.is_connected());
        }
    }

    #[test]
    fn reauthentication_is_needed_when_refused_or_when_the_grant_lapsed() {
        for s in [Expired, Revoked, Failed] {
            assert!(in_state(s).needs_reauthentication(now()), "{s}");
        }
        for s in [Pending, Disconnected] {
            assert!(!in_state(s).needs_reauthentication(now()), "{s}");
        }
        let mut c = in_state(Pending);
        c.connect(grant(), now()).unwrap();
        assert!(c.is_connected());
        assert!(!c.needs_reauthentication(now()));
        assert!(c.needs_reauthentication(now() + chrono::Duration::days(7)));
        assert!(!c.access_expiring(now(), chrono::Duration::minutes(5)));
        assert!(c.access_expiring(
            now() + chrono::Duration::minutes(26),
            chrono::Duration::minutes(5)
        ));
        assert_eq!(c.connected_at, Some(now()));
    }
}
