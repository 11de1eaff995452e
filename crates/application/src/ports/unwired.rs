//! A stand-in for a port a function never uses, so its adapter (and its AWS client) is
//! neither built nor linked: an HTTP function sends no email, a consumer signs no tokens.
//! Reaching it is a wiring bug, logged and answered with an error rather than a panic;
//! the few infallible methods fail closed (no device, no match, an unusable token).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    identity::{
        entities::{OneTimeToken, OneTimeTokenKind, RefreshToken, SecurityConfig, Session, User},
        ports::{
            AccessClaims, AccessTokenError, AccessTokenService, DeviceDetector, EventsForCount,
            HashError, IssuedToken, OneTimeTokenRepository, OpaqueTokens, PasswordHasher,
            RefreshRotation, SecurityConfigRepository, SessionExpiryNotices, SessionRepository,
            UserRepository,
        },
        value_objects::{Email, Password, TokenHash},
    },
    platform::{
        entities::{AuditRecord, Job, JobRun},
        events::{DomainEvent, EmailKind},
        ports::{
            AuditPage, AuditQuery, AuditRepository, CursorSealer, EmailComposer, EmailError,
            EmailMessage, EmailSender, EventFeed, EventOutbox, EventPublisher, ExpiredItems,
            FeedEntry, JobRuns, ProcessedEvents, PublishError, PurgeCounts, QueueMetrics,
            QueueReading, RateLimitStore,
        },
        rate_limit::{BucketKey, Decision, Limit},
    },
};
use uuid::Uuid;

/// Names what is not wired (a context, or a single port).
pub struct Unwired(pub &'static str);

/// The message of a reached [`Unwired`], converted into each port's error.
pub(super) struct Fault(pub(super) String);

impl Unwired {
    pub(super) fn fault(&self) -> Fault {
        let message = format!("{} is not wired in this function", self.0);
        tracing::error!("{message}");
        Fault(message)
    }
}

impl From<Fault> for StoreError {
    fn from(f: Fault) -> Self {
        StoreError::Unavailable(f.0)
    }
}

impl From<Fault> for String {
    fn from(f: Fault) -> Self {
        f.0
    }
}

impl From<Fault> for EmailError {
    fn from(f: Fault) -> Self {
        EmailError(f.0)
    }
}

impl From<Fault> for PublishError {
    fn from(f: Fault) -> Self {
        PublishError(f.0)
    }
}

impl From<Fault> for HashError {
    fn from(f: Fault) -> Self {
        HashError(f.0)
    }
}

impl From<Fault> for AccessTokenError {
    fn from(f: Fault) -> Self {
        AccessTokenError::KeyUnavailable(f.0)
    }
}

/// Implements a port's fallible async methods as "not wired". Only the argument types are
/// listed: the bodies ignore them.
macro_rules! unwired {
    ($port:ident { $(fn $name:ident($($arg:ty),*) -> $ret:ty;)* }) => {
        #[async_trait]
        impl $port for Unwired {
            $(async fn $name(&self, $(_: $arg),*) -> $ret {
                Err(self.fault().into())
            })*
        }
    };
}
pub(super) use unwired;

unwired!(UserRepository {
    fn create(&User, &OneTimeToken, &[DomainEvent]) -> Result<(), StoreError>;
    fn find_by_id(Uuid) -> Result<Option<User>, StoreError>;
    fn find_by_email(&Email) -> Result<Option<User>, StoreError>;
    fn save(&User, &[DomainEvent]) -> Result<(), StoreError>;
});

unwired!(OneTimeTokenRepository {
    fn find(OneTimeTokenKind, &TokenHash) -> Result<Option<OneTimeToken>, StoreError>;
    fn issue(&OneTimeToken, &User, &[DomainEvent]) -> Result<(), StoreError>;
    fn redeem(&OneTimeToken, DateTime<Utc>, &User, &[DomainEvent]) -> Result<(), StoreError>;
});

unwired!(SessionRepository {
    fn create(&Session, &RefreshToken, &[Session], &str, &[DomainEvent]) -> Result<(), StoreError>;
    fn find(Uuid, Uuid) -> Result<Option<Session>, StoreError>;
    fn find_with_user(Uuid, Uuid) -> Result<(Option<Session>, Option<User>), StoreError>;
    fn list_for_user(Uuid) -> Result<Vec<Session>, StoreError>;
    fn find_refresh_token(&TokenHash) -> Result<Option<RefreshToken>, StoreError>;
    fn rotate_refresh(RefreshRotation<'_>, &[DomainEvent]) -> Result<(), StoreError>;
    fn revoke(Uuid, Uuid, &str, DateTime<Utc>, &[DomainEvent]) -> Result<bool, StoreError>;
    fn revoke_all(Uuid, Option<Uuid>, &str, DateTime<Utc>, EventsForCount<'_>) -> Result<u32, StoreError>;
});

unwired!(SessionExpiryNotices {
    fn due_for_notice(DateTime<Utc>, DateTime<Utc>) -> Result<Vec<Session>, StoreError>;
    fn mark_notified(Uuid, Uuid, DateTime<Utc>, &[DomainEvent]) -> Result<bool, StoreError>;
});

unwired!(SecurityConfigRepository {
    fn get() -> Result<SecurityConfig, StoreError>;
    fn save(&SecurityConfig, &[DomainEvent]) -> Result<(), StoreError>;
});

unwired!(AuditRepository {
    fn append(&AuditRecord) -> Result<bool, StoreError>;
    fn list_for_user(Uuid, u32) -> Result<Vec<AuditRecord>, StoreError>;
    fn list(&AuditQuery) -> Result<AuditPage, StoreError>;
});

unwired!(CursorSealer {
    fn seal(&str, &[u8]) -> Result<String, String>;
    fn open(&str, &str) -> Result<Option<Vec<u8>>, String>;
});

unwired!(EventOutbox {
    fn append(&[DomainEvent]) -> Result<(), StoreError>;
    fn acknowledge(&[Uuid]) -> Result<(), StoreError>;
    fn oldest_pending() -> Result<Option<DateTime<Utc>>, StoreError>;
});

unwired!(EventFeed {
    fn read_after(Uuid, Option<Uuid>, u32) -> Result<Vec<FeedEntry>, StoreError>;
});

unwired!(EventPublisher {
    fn publish(&[DomainEvent]) -> Result<(), PublishError>;
});

unwired!(EmailSender {
    fn send(&EmailMessage) -> Result<(), EmailError>;
});

unwired!(ProcessedEvents {
    fn claim(&str, Uuid, DateTime<Utc>) -> Result<bool, StoreError>;
    fn complete(&str, Uuid) -> Result<(), StoreError>;
    fn release(&str, Uuid) -> Result<(), StoreError>;
});

unwired!(JobRuns {
    fn record(&JobRun) -> Result<(), StoreError>;
    fn last(Job) -> Result<Option<JobRun>, StoreError>;
});

unwired!(ExpiredItems {
    fn purge(DateTime<Utc>, DateTime<Utc>) -> Result<PurgeCounts, StoreError>;
});

unwired!(RateLimitStore {
    fn take(&BucketKey, Limit, i64) -> Result<Decision, StoreError>;
});

#[async_trait]
impl AccessTokenService for Unwired {
    fn ttl_seconds(&self) -> i64 {
        0
    }

    async fn issue(
        &self,
        _: Uuid,
        _: &str,
        _: Vec<String>,
        _: Uuid,
    ) -> Result<String, AccessTokenError> {
        Err(self.fault().into())
    }

    async fn verify(&self, _: &str) -> Result<AccessClaims, AccessTokenError> {
        Err(self.fault().into())
    }
}

#[async_trait]
impl PasswordHasher for Unwired {
    async fn hash(&self, _: &Password) -> Result<String, HashError> {
        Err(self.fault().into())
    }

    async fn verify(&self, _: &str, _: &str) -> bool {
        self.fault();
        false
    }

    async fn verify_dummy(&self, _: &str) {
        self.fault();
    }
}

/// Tokens nobody can present: an empty plaintext fails every token parser, and the
/// hash is not hex, so it matches no stored token.
impl OpaqueTokens for Unwired {
    fn refresh_token(&self) -> IssuedToken {
        self.unusable_token()
    }

    fn hex_token(&self) -> IssuedToken {
        self.unusable_token()
    }

    fn hash(&self, _: &str) -> TokenHash {
        self.fault();
        TokenHash::from_hex("unwired".to_owned())
    }
}

impl Unwired {
    fn unusable_token(&self) -> IssuedToken {
        IssuedToken {
            plaintext: String::new(),
            hash: OpaqueTokens::hash(self, ""),
        }
    }
}

impl DeviceDetector for Unwired {
    fn describe(&self, _: &str) -> Option<String> {
        self.fault();
        None
    }
}

impl EmailComposer for Unwired {
    fn compose(&self, _: EmailKind, _: &str, _: Option<&str>) -> (String, String, String) {
        self.fault();
        Default::default()
    }
}

#[async_trait]
impl QueueMetrics for Unwired {
    async fn readings(&self) -> Vec<QueueReading> {
        self.fault();
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use dashtam_core::SystemClock;

    use super::*;
    use crate::{
        AppError, Ports,
        identity::commands::Login,
        ports::{IdentityPorts, PlatformPorts},
    };
    use dashtam_domain::platform::events::EventContext;

    /// A use case that reaches an unwired context fails as a server fault (500), not a panic.
    #[tokio::test]
    async fn a_use_case_over_unwired_ports_fails_without_panicking() {
        let ports = Ports {
            identity: IdentityPorts::unwired(),
            platform: PlatformPorts::unwired(),
            providers: crate::ports::ProviderPorts::unwired(),
            portfolio: crate::ports::PortfolioPorts::unwired(),
            imports: crate::ports::ImportPorts::unwired(),
            clock: std::sync::Arc::new(SystemClock),
        };
        let result = Login {
            email: Email::parse("ada@example.com").unwrap(),
            password: "Str0ng!Passw0rd".into(),
            context: EventContext::default(),
        }
        .execute(&ports)
        .await;
        assert!(matches!(result, Err(AppError::Internal(_))), "{result:?}");
        let token = ports.identity.opaque_tokens.refresh_token();
        assert!(token.plaintext.is_empty());
        assert_ne!(ports.identity.opaque_tokens.hash("").as_str().len(), 64);
    }
}
