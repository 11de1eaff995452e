use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::registry::{Category, EmailKind, EventMeta, Phase};

/// Declares the payload enum and the registry from one table.
macro_rules! events {
    ($(
        $name:ident { $($field:ident : $ty:ty),* $(,)? }
            => $cat:ident, $workflow:literal, $phase:ident, audit $audit:literal, email $email:expr, stream $stream:expr;
    )*) => {
        /// What happened. Serialised as `{"name": "...", "data": {...}}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "name", content = "data")]
        pub enum EventPayload {
            $( $name { $($field: $ty),* } ),*
        }

        impl EventPayload {
            pub fn name(&self) -> &'static str {
                match self { $( Self::$name { .. } => stringify!($name) ),* }
            }
        }

        /// Every event Dashtam publishes, with its consumers.
        pub static REGISTRY: &[EventMeta] = &[$(
            EventMeta {
                name: stringify!($name),
                category: Category::$cat,
                workflow: $workflow,
                phase: Phase::$phase,
                audit: $audit,
                email: $email,
                stream: $stream,
            }
        ),*];
    };
}

// Fields ending in `_token` carry a plaintext one-time token for the email consumer only;
// the audit trail and the logs never keep them (see `DomainEvent::audit_context`).
events! {
    UserRegistrationAttempted { email: String }
        => Authentication, "user_registration", Attempted, audit true, email None, stream None;
    UserRegistrationSucceeded { email: String, verification_token: String }
        => Authentication, "user_registration", Succeeded, audit true, email Some(EmailKind::Verification), stream None;
    UserRegistrationFailed { email: String, reason: String }
        => Authentication, "user_registration", Failed, audit true, email None, stream None;

    EmailVerificationAttempted {}
        => Authentication, "email_verification", Attempted, audit true, email None, stream None;
    EmailVerificationSucceeded { email: String }
        => Authentication, "email_verification", Succeeded, audit true, email None, stream None;
    EmailVerificationFailed { reason: String }
        => Authentication, "email_verification", Failed, audit true, email None, stream None;

    EmailVerificationRequestAttempted { email: String }
        => Authentication, "email_verification_request", Attempted, audit true, email None, stream None;
    EmailVerificationRequestSucceeded { email: String, verification_token: String }
        => Authentication, "email_verification_request", Succeeded, audit true, email Some(EmailKind::Verification), stream None;
    EmailVerificationRequestFailed { email: String, reason: String }
        => Authentication, "email_verification_request", Failed, audit true, email None, stream None;

    UserLoginAttempted { email: String }
        => Authentication, "user_login", Attempted, audit true, email None, stream None;
    UserLoginSucceeded { email: String, session_id: Uuid }
        => Authentication, "user_login", Succeeded, audit true, email None, stream None;
    UserLoginFailed { email: String, reason: String }
        => Authentication, "user_login", Failed, audit true, email None, stream Some("security.login.failed");

    AuthTokenRefreshAttempted {}
        => Authentication, "auth_token_refresh", Attempted, audit true, email None, stream None;
    AuthTokenRefreshSucceeded { session_id: Uuid }
        => Authentication, "auth_token_refresh", Succeeded, audit true, email None, stream None;
    AuthTokenRefreshFailed { reason: String, session_id: Option<Uuid> }
        => Authentication, "auth_token_refresh", Failed, audit true, email None, stream None;
    RefreshTokenReuseDetected { session_id: Uuid }
        => Authentication, "refresh_token_reuse", Operational, audit true, email None, stream Some("security.session.suspicious");
    TokenRejectedDueToRotation { session_id: Uuid, token_version: u64, required_version: u64 }
        => Authentication, "token_rotation_rejection", Operational, audit true, email None, stream None;

    UserLogoutAttempted { session_id: Uuid }
        => Authentication, "user_logout", Attempted, audit true, email None, stream None;
    UserLogoutSucceeded { session_id: Uuid }
        => Authentication, "user_logout", Succeeded, audit true, email None, stream None;
    UserLogoutFailed { session_id: Uuid, reason: String }
        => Authentication, "user_logout", Failed, audit true, email None, stream None;

    PasswordResetRequestAttempted { email: String }
        => Authentication, "password_reset_request", Attempted, audit true, email None, stream None;
    PasswordResetRequestSucceeded { email: String, reset_token: String }
        => Authentication, "password_reset_request", Succeeded, audit true, email Some(EmailKind::PasswordReset), stream None;
    PasswordResetRequestFailed { email: String, reason: String }
        => Authentication, "password_reset_request", Failed, audit true, email None, stream None;

    PasswordResetConfirmAttempted {}
        => Authentication, "password_reset_confirm", Attempted, audit true, email None, stream None;
    PasswordResetConfirmSucceeded { email: String, sessions_revoked: u32 }
        => Authentication, "password_reset_confirm", Succeeded, audit true, email Some(EmailKind::PasswordChanged), stream Some("security.password.changed");
    PasswordResetConfirmFailed { reason: String }
        => Authentication, "password_reset_confirm", Failed, audit true, email None, stream None;

    GlobalTokenRotationAttempted { reason: String }
        => Authorization, "global_token_rotation", Attempted, audit true, email None, stream None;
    GlobalTokenRotationSucceeded { reason: String, previous_version: u64, new_version: u64 }
        => Authorization, "global_token_rotation", Succeeded, audit true, email None, stream None;
    GlobalTokenRotationFailed { reason: String, error: String }
        => Authorization, "global_token_rotation", Failed, audit true, email None, stream None;

    UserTokenRotationAttempted { target_user_id: Uuid, reason: String }
        => Authorization, "user_token_rotation", Attempted, audit true, email None, stream None;
    UserTokenRotationSucceeded { target_user_id: Uuid, reason: String, previous_version: u64, new_version: u64 }
        => Authorization, "user_token_rotation", Succeeded, audit true, email None, stream None;
    UserTokenRotationFailed { target_user_id: Uuid, reason: String, error: String }
        => Authorization, "user_token_rotation", Failed, audit true, email None, stream None;

    SessionCreated { session_id: Uuid, device_info: Option<String> }
        => Session, "session_creation", Operational, audit true, email None, stream Some("security.session.new");
    NewDeviceSessionDetected { email: String, session_id: Uuid, device_info: String, ip_address: Option<String> }
        => Session, "new_device_session", Operational, audit true, email Some(EmailKind::NewDevice), stream None;
    SessionEvicted { session_id: Uuid, reason: String }
        => Session, "session_eviction", Operational, audit true, email None, stream Some("security.session.revoked");
    SessionRevocationAttempted { session_id: Uuid }
        => Session, "session_revocation", Attempted, audit true, email None, stream None;
    SessionRevoked { session_id: Uuid, reason: String }
        => Session, "session_revocation", Succeeded, audit true, email None, stream Some("security.session.revoked");
    SessionRevocationFailed { session_id: Uuid, reason: String }
        => Session, "session_revocation", Failed, audit true, email None, stream None;
    AllSessionsRevocationAttempted { reason: String }
        => Session, "all_sessions_revocation", Attempted, audit true, email None, stream None;
    AllSessionsRevoked { reason: String, revoked_count: u32 }
        => Session, "all_sessions_revocation", Succeeded, audit true, email None, stream Some("security.session.revoked");
    AllSessionsRevocationFailed { reason: String }
        => Session, "all_sessions_revocation", Failed, audit true, email None, stream None;

    // `target_user_id` is the user whose roles change; the event's `user_id` is the admin.
    RoleGrantAttempted { target_user_id: Uuid, role: String }
        => Security, "role_grant", Attempted, audit true, email None, stream None;
    RoleGrantSucceeded { target_user_id: Uuid, role: String, already_held: bool, roles: Vec<String> }
        => Security, "role_grant", Succeeded, audit true, email None, stream None;
    RoleGrantFailed { target_user_id: Uuid, role: String, reason: String }
        => Security, "role_grant", Failed, audit true, email None, stream None;
    RoleRevokeAttempted { target_user_id: Uuid, role: String }
        => Security, "role_revoke", Attempted, audit true, email None, stream None;
    RoleRevokeSucceeded { target_user_id: Uuid, role: String, was_held: bool, roles: Vec<String> }
        => Security, "role_revoke", Succeeded, audit true, email None, stream None;
    RoleRevokeFailed { target_user_id: Uuid, role: String, reason: String }
        => Security, "role_revoke", Failed, audit true, email None, stream None;
    // Emitted by the session-expiry job, once per session (see docs/jobs.md).
    SessionExpiring { session_id: Uuid, expires_at: DateTime<Utc>, expires_in_seconds: i64 }
        => Session, "session_expiry", Operational, audit true, email None, stream Some("security.session.expiring");
    // Providers. Payloads name connections and slugs, never credentials.
    ProviderConnectionAttempted { provider_slug: String, connection_id: Option<Uuid> }
        => Provider, "provider_connection", Attempted, audit true, email None, stream None;
    ProviderConnectionSucceeded { provider_slug: String, connection_id: Uuid, alias: Option<String>, reconnected: bool }
        => Provider, "provider_connection", Succeeded, audit true, email None, stream Some("provider.connected");
    ProviderConnectionFailed { provider_slug: String, connection_id: Option<Uuid>, reason: String }
        => Provider, "provider_connection", Failed, audit true, email None, stream None;
    ProviderDisconnectionAttempted { connection_id: Uuid }
        => Provider, "provider_disconnection", Attempted, audit true, email None, stream None;
    ProviderDisconnectionSucceeded { connection_id: Uuid, provider_slug: String }
        => Provider, "provider_disconnection", Succeeded, audit true, email None, stream Some("provider.disconnected");
    ProviderDisconnectionFailed { connection_id: Uuid, reason: String }
        => Provider, "provider_disconnection", Failed, audit true, email None, stream None;
    ProviderTokenRefreshAttempted { connection_id: Uuid, provider_slug: String }
        => Provider, "provider_token_refresh", Attempted, audit true, email None, stream None;
    ProviderTokenRefreshSucceeded { connection_id: Uuid, provider_slug: String, expires_at: DateTime<Utc> }
        => Provider, "provider_token_refresh", Succeeded, audit true, email None, stream Some("provider.token.refreshed");
    // The email consumer mails only the refusals (`needs_reauth: true`): a reconnect link.
    ProviderTokenRefreshFailed { connection_id: Uuid, provider_slug: String, reason: String, needs_reauth: bool }
        => Provider, "provider_token_refresh", Failed, audit true, email Some(EmailKind::ProviderReconnect), stream Some("provider.token.failed");
    // Emitted by token care once per grant, with the connection's notice mark.
    ProviderTokenExpiring { connection_id: Uuid, provider_slug: String, expires_at: DateTime<Utc> }
        => Provider, "provider_token_expiry", Operational, audit true, email Some(EmailKind::ProviderTokenExpiring), stream Some("provider.token.expiring");

    // Data syncs.
    AccountSyncAttempted { connection_id: Uuid }
        => DataSync, "account_sync", Attempted, audit true, email None, stream Some("sync.accounts.started");
    AccountSyncSucceeded { connection_id: Uuid, account_count: u32, created: u32, updated: u32, unchanged: u32 }
        => DataSync, "account_sync", Succeeded, audit true, email None, stream Some("sync.accounts.completed");
    AccountSyncFailed { connection_id: Uuid, error: String }
        => DataSync, "account_sync", Failed, audit true, email None, stream Some("sync.accounts.failed");
    TransactionSyncAttempted { connection_id: Uuid, account_id: Option<Uuid> }
        => DataSync, "transaction_sync", Attempted, audit true, email None, stream Some("sync.transactions.started");
    TransactionSyncSucceeded { connection_id: Uuid, account_id: Option<Uuid>, transaction_count: u64, created: u64, unchanged: u64 }
        => DataSync, "transaction_sync", Succeeded, audit true, email None, stream Some("sync.transactions.completed");
    TransactionSyncFailed { connection_id: Uuid, account_id: Option<Uuid>, error: String }
        => DataSync, "transaction_sync", Failed, audit true, email None, stream Some("sync.transactions.failed");
    HoldingsSyncAttempted { account_id: Uuid }
        => DataSync, "holdings_sync", Attempted, audit true, email None, stream Some("sync.holdings.started");
    HoldingsSyncSucceeded { account_id: Uuid, holding_count: u32, created: u32, updated: u32, deactivated: u32 }
        => DataSync, "holdings_sync", Succeeded, audit true, email None, stream Some("sync.holdings.completed");
    HoldingsSyncFailed { account_id: Uuid, error: String }
        => DataSync, "holdings_sync", Failed, audit true, email None, stream Some("sync.holdings.failed");

    // File imports. Every frame names the file, its format and how far the import got.
    FileImportAttempted { import_id: Uuid, file_name: String, file_format: String, progress_percent: u8, records_processed: u64, records_imported: u64 }
        => DataSync, "file_import", Attempted, audit true, email None, stream Some("import.started");
    FileImportProgress { import_id: Uuid, file_name: String, file_format: String, progress_percent: u8, records_processed: u64, records_imported: u64 }
        => DataSync, "file_import_progress", Operational, audit false, email None, stream Some("import.progress");
    FileImportSucceeded { import_id: Uuid, connection_id: Uuid, file_name: String, file_format: String, progress_percent: u8, records_processed: u64, records_imported: u64, accounts_created: u64, accounts_updated: u64, transactions_skipped: u64 }
        => DataSync, "file_import", Succeeded, audit true, email None, stream Some("import.completed");
    FileImportFailed { import_id: Uuid, file_name: String, file_format: String, progress_percent: u8, records_processed: u64, records_imported: u64, error: String }
        => DataSync, "file_import", Failed, audit true, email None, stream Some("import.failed");

    // Portfolio changes (operational, not audited). Amounts are decimal strings.
    AccountBalanceUpdated { account_id: Uuid, previous_balance: Option<String>, new_balance: String, currency: String }
        => Portfolio, "account_balance_update", Operational, audit false, email None, stream Some("portfolio.balance.updated");
    AccountHoldingsUpdated { account_id: Uuid, created: u32, updated: u32, deactivated: u32 }
        => Portfolio, "account_holdings_update", Operational, audit false, email None, stream Some("portfolio.holdings.updated");
    PortfolioNetWorthRecalculated { currency: String, previous_net_worth: String, new_net_worth: String, delta: String, account_count: u32 }
        => Portfolio, "net_worth_recalculation", Operational, audit false, email None, stream Some("portfolio.networth.updated");
}

impl EventPayload {
    pub fn meta(&self) -> &'static EventMeta {
        // Every variant is in REGISTRY by construction (same macro table).
        lookup(self.name()).unwrap_or(&REGISTRY[0])
    }
}

pub fn lookup(name: &str) -> Option<&'static EventMeta> {
    REGISTRY.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    #[test]
    fn names_are_unique_and_follow_workflow_phase() {
        let names: BTreeSet<_> = REGISTRY.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), REGISTRY.len());
    }

    #[test]
    fn every_three_phase_workflow_is_complete() {
        let mut phases: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for m in REGISTRY.iter().filter(|m| m.phase != Phase::Operational) {
            phases.entry(m.workflow).or_default().insert(match m.phase {
                Phase::Attempted => "attempted",
                Phase::Succeeded => "succeeded",
                Phase::Failed => "failed",
                Phase::Operational => unreachable!(),
            });
        }
        for (workflow, seen) in phases {
            assert_eq!(seen.len(), 3, "{workflow} lacks a phase: {seen:?}");
        }
    }

    #[test]
    fn payload_meta_matches_its_name() {
        let p = EventPayload::UserLoginFailed {
            email: "a@b.c".into(),
            reason: "invalid_credentials".into(),
        };
        assert_eq!(p.meta().name, "UserLoginFailed");
        assert_eq!(p.meta().stream, Some("security.login.failed"));
        assert_eq!(lookup("UserLoginFailed"), Some(p.meta()));
    }

    #[test]
    fn wire_shape_is_name_and_data() {
        let p = EventPayload::UserLogoutSucceeded {
            session_id: Uuid::nil(),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["name"], "UserLogoutSucceeded");
        assert_eq!(v["data"]["session_id"], Uuid::nil().to_string());
    }
}
