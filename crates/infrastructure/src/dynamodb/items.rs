//! The stored shape of every item: keys, key builders and the private item structs that
//! serde maps to and from DynamoDB attribute maps.
//!
//! Item structs spell their fields out (rather than flattening the domain entities) so
//! that the stored format is owned here: `None` is *absent* (never `NULL`, so
//! `attribute_not_exists(revoked_at)` means "not revoked" and GSI keys are never typed
//! wrongly), and every timestamp is fixed-width RFC 3339 (see [`ts`]) so string comparison
//! in conditions and sort keys is chronological.

#![allow(non_snake_case)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use dashtam_domain::{
    entities::{
        AuditRecord, Job, JobOutcome, JobRun, OneTimeToken, OneTimeTokenKind, RefreshToken, Role,
        SecurityConfig, Session, SessionTier, User,
    },
    value_objects::{Email, TokenHash},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Attribute names and constant sort keys
// ---------------------------------------------------------------------------------------

pub(crate) const USER_SK: &str = "PROFILE";
pub(crate) const EMAIL_SK: &str = "EMAIL";
pub(crate) const SESSION_SK_PREFIX: &str = "SESSION#";
pub(crate) const REFRESH_SK: &str = "REFRESH";
pub(crate) const CONFIG_PK: &str = "CONFIG";
pub(crate) const CONFIG_SK: &str = "SECURITY";
pub(crate) const AUDIT_SK: &str = "AUDIT";
pub(crate) const PROCESSED_SK: &str = "PROCESSED";
pub(crate) const JOB_RUN_SK: &str = "LASTRUN";
/// GSI2 partitions of sessions by the UTC hour they expire in (expiry notices, cleanup).
pub(crate) const SESSION_EXPIRY_PREFIX: &str = "SESSIONEXP#";
/// GSI2 partitions of one-time tokens by the UTC hour their retention ends (cleanup).
pub(crate) const TOKEN_EXPIRY_PREFIX: &str = "EXPIRY#";

/// How long a refresh or one-time token outlives its expiry before TTL removes it, so that
/// presenting it again is still recognised (reuse detection) rather than "unknown".
pub(crate) const TOKEN_RETENTION: Duration = Duration::days(1);
/// How long a processed-event claim is remembered.
pub(crate) const PROCESSED_RETENTION: Duration = Duration::days(7);

pub(crate) fn user_pk(id: Uuid) -> String {
    format!("USER#{id}")
}

pub(crate) fn email_pk(email: &Email) -> String {
    // `Email` is normalised (trimmed, lower-cased) by construction.
    format!("EMAIL#{}", email.as_str())
}

pub(crate) fn session_sk(id: Uuid) -> String {
    format!("{SESSION_SK_PREFIX}{id}")
}

pub(crate) fn refresh_pk(hash: &TokenHash) -> String {
    format!("REFRESH#{}", hash.as_str())
}

pub(crate) fn one_time_keys(kind: OneTimeTokenKind, hash: &TokenHash) -> (String, &'static str) {
    match kind {
        OneTimeTokenKind::EmailVerification => (format!("VERIFY#{}", hash.as_str()), "VERIFY"),
        OneTimeTokenKind::PasswordReset => (format!("RESET#{}", hash.as_str()), "RESET"),
    }
}

pub(crate) fn audit_pk(event_id: Uuid) -> String {
    format!("AUDIT#{event_id}")
}

pub(crate) fn audit_user_gsi1pk(user_id: Uuid) -> String {
    format!("AUDITUSER#{user_id}")
}

/// GSI2 partition of the audit records of one UTC day.
pub(crate) fn audit_day_gsi2pk(day: chrono::NaiveDate) -> String {
    format!("AUDIT#{}", day.format("%Y-%m-%d"))
}

pub(crate) fn processed_pk(consumer: &str, event_id: Uuid) -> String {
    format!("PROCESSED#{consumer}#{event_id}")
}

pub(crate) fn job_pk(job: &str) -> String {
    format!("JOB#{job}")
}

/// The UTC hour `at` falls in, as a GSI2 partition suffix (`2025-01-02T03`).
pub(crate) fn hour_bucket(prefix: &str, at: DateTime<Utc>) -> String {
    format!("{prefix}{}", at.format("%Y-%m-%dT%H"))
}

/// Epoch seconds, the unit of DynamoDB's TTL attribute.
pub(crate) fn epoch(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

// ---------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------

/// Fixed-width RFC 3339 in UTC with nanoseconds (`2025-01-02T03:04:05.123456789Z`): lossless,
/// and lexicographic order is chronological, which conditions (`expires_at > :now`) and
/// sort keys rely on. Reading accepts any RFC 3339.
pub(crate) mod ts {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    use super::*;

    pub(crate) fn format(at: DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Nanos, true)
    }

    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    pub(crate) mod opt {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, s),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|raw| {
                    DateTime::parse_from_rfc3339(&raw)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
    }
}

// ---------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct UserItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub id: Uuid,
    pub email: Email,
    pub password_hash: String,
    pub is_verified: bool,
    pub is_active: bool,
    pub failed_login_attempts: u32,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
    pub roles: BTreeSet<Role>,
    pub session_tier: SessionTier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sessions: Option<u32>,
    pub min_token_version: u64,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub mail_window_start: Option<DateTime<Utc>>,
    pub mails_in_window: u32,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub sessions_valid_from: Option<DateTime<Utc>>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl UserItem {
    /// The item as stored at `version`.
    pub(crate) fn new(u: &User, version: u64) -> Self {
        Self {
            PK: user_pk(u.id),
            SK: USER_SK.to_owned(),
            entity: "user".to_owned(),
            id: u.id,
            email: u.email.clone(),
            password_hash: u.password_hash.clone(),
            is_verified: u.is_verified,
            is_active: u.is_active,
            failed_login_attempts: u.failed_login_attempts,
            locked_until: u.locked_until,
            roles: u.roles.clone(),
            session_tier: u.session_tier,
            max_sessions: u.max_sessions,
            min_token_version: u.min_token_version,
            mail_window_start: u.mail_window_start,
            mails_in_window: u.mails_in_window,
            sessions_valid_from: u.sessions_valid_from,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version,
        }
    }

    pub(crate) fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
            is_verified: self.is_verified,
            is_active: self.is_active,
            failed_login_attempts: self.failed_login_attempts,
            locked_until: self.locked_until,
            roles: self.roles,
            session_tier: self.session_tier,
            max_sessions: self.max_sessions,
            min_token_version: self.min_token_version,
            mail_window_start: self.mail_window_start,
            mails_in_window: self.mails_in_window,
            sessions_valid_from: self.sessions_valid_from,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// `EMAIL#<email>` / `EMAIL`: makes the email unique and maps it to the user.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct EmailMarkerItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub user_id: Uuid,
}

impl EmailMarkerItem {
    pub(crate) fn new(email: &Email, user_id: Uuid) -> Self {
        Self {
            PK: email_pk(email),
            SK: EMAIL_SK.to_owned(),
            entity: "email".to_owned(),
            user_id,
        }
    }
}

// ---------------------------------------------------------------------------------------
// One-time tokens
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OneTimeTokenItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    /// `EXPIRY#<hour its retention ends>` / `<that instant>#<PK>`, for the cleanup job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2SK: Option<String>,
    pub hash: TokenHash,
    pub kind: OneTimeTokenKind,
    pub user_id: Uuid,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub used_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl OneTimeTokenItem {
    pub(crate) fn new(t: &OneTimeToken) -> Self {
        let (pk, sk) = one_time_keys(t.kind, &t.hash);
        let purge_at = t.expires_at + TOKEN_RETENTION;
        Self {
            GSI2PK: Some(hour_bucket(TOKEN_EXPIRY_PREFIX, purge_at)),
            GSI2SK: Some(format!("{}#{pk}", ts::format(purge_at))),
            PK: pk,
            SK: sk.to_owned(),
            entity: "one_time_token".to_owned(),
            hash: t.hash.clone(),
            kind: t.kind,
            user_id: t.user_id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            used_at: t.used_at,
            ttl: epoch(t.expires_at + TOKEN_RETENTION),
        }
    }

    pub(crate) fn into_token(self) -> OneTimeToken {
        OneTimeToken {
            hash: self.hash,
            kind: self.kind,
            user_id: self.user_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            used_at: self.used_at,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sessions and refresh tokens
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SessionItem {
    pub PK: String,
    pub SK: String,
    /// `SESSIONEXP#<hour it expires>` / `<expires_at>#<id>`, for the session-expiry job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2SK: Option<String>,
    pub entity: String,
    pub id: Uuid,
    pub user_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub last_activity_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    pub current_refresh_hash: TokenHash,
    /// Set once, by the one session-expiry run that sent the notice.
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub expiry_notice_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl SessionItem {
    pub(crate) fn new(s: &Session) -> Self {
        Self {
            PK: user_pk(s.user_id),
            SK: session_sk(s.id),
            GSI2PK: Some(hour_bucket(SESSION_EXPIRY_PREFIX, s.expires_at)),
            GSI2SK: Some(format!("{}#{}", ts::format(s.expires_at), s.id)),
            entity: "session".to_owned(),
            id: s.id,
            user_id: s.user_id,
            device_info: s.device_info.clone(),
            user_agent: s.user_agent.clone(),
            ip_address: s.ip_address.clone(),
            location: s.location.clone(),
            created_at: s.created_at,
            last_activity_at: s.last_activity_at,
            expires_at: s.expires_at,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason.clone(),
            current_refresh_hash: s.current_refresh_hash.clone(),
            expiry_notice_at: None,
            ttl: epoch(s.expires_at),
        }
    }

    pub(crate) fn into_session(self) -> Session {
        Session {
            id: self.id,
            user_id: self.user_id,
            device_info: self.device_info,
            user_agent: self.user_agent,
            ip_address: self.ip_address,
            location: self.location,
            created_at: self.created_at,
            last_activity_at: self.last_activity_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            revoked_reason: self.revoked_reason,
            current_refresh_hash: self.current_refresh_hash,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RefreshTokenItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub hash: TokenHash,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub token_version: u64,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl RefreshTokenItem {
    pub(crate) fn new(t: &RefreshToken) -> Self {
        Self {
            PK: refresh_pk(&t.hash),
            SK: REFRESH_SK.to_owned(),
            entity: "refresh_token".to_owned(),
            hash: t.hash.clone(),
            user_id: t.user_id,
            session_id: t.session_id,
            token_version: t.token_version,
            created_at: t.created_at,
            expires_at: t.expires_at,
            rotated_at: t.rotated_at,
            ttl: epoch(t.expires_at + TOKEN_RETENTION),
        }
    }

    pub(crate) fn into_token(self) -> RefreshToken {
        RefreshToken {
            hash: self.hash,
            user_id: self.user_id,
            session_id: self.session_id,
            token_version: self.token_version,
            created_at: self.created_at,
            expires_at: self.expires_at,
            rotated_at: self.rotated_at,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Security config
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SecurityConfigItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub global_min_token_version: u64,
    pub grace_period_seconds: u64,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub last_rotation_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation_reason: Option<String>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub version: u64,
}

impl SecurityConfigItem {
    pub(crate) fn new(c: &SecurityConfig, version: u64) -> Self {
        Self {
            PK: CONFIG_PK.to_owned(),
            SK: CONFIG_SK.to_owned(),
            entity: "security_config".to_owned(),
            global_min_token_version: c.global_min_token_version,
            grace_period_seconds: c.grace_period_seconds,
            last_rotation_at: c.last_rotation_at,
            last_rotation_reason: c.last_rotation_reason.clone(),
            updated_at: c.updated_at,
            version,
        }
    }

    pub(crate) fn into_config(self) -> SecurityConfig {
        SecurityConfig {
            global_min_token_version: self.global_min_token_version,
            grace_period_seconds: self.grace_period_seconds,
            last_rotation_at: self.last_rotation_at,
            last_rotation_reason: self.last_rotation_reason,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------

/// `AUDIT#<event id>` / `AUDIT`. GSI1 lists a user's records newest first; GSI2 partitions
/// all records by UTC day (`AUDIT#<yyyy-mm-dd>`) for an "everything, newest first" view.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AuditItem {
    pub PK: String,
    pub SK: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI1PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI1SK: Option<String>,
    pub GSI2PK: String,
    pub GSI2SK: String,
    pub entity: String,
    pub id: Uuid,
    pub event_id: Uuid,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Kept as a JSON string: a DynamoDB map would not round-trip every JSON value
    /// (number precision, empty-vs-null), and nothing queries inside it.
    pub context: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
}

impl AuditItem {
    pub(crate) fn new(r: &AuditRecord) -> Result<Self, serde_json::Error> {
        let sort = format!("{}#{}", ts::format(r.created_at), r.id);
        Ok(Self {
            PK: audit_pk(r.event_id),
            SK: AUDIT_SK.to_owned(),
            GSI1PK: r.user_id.map(audit_user_gsi1pk),
            GSI1SK: r.user_id.map(|_| sort.clone()),
            GSI2PK: audit_day_gsi2pk(r.created_at.date_naive()),
            GSI2SK: sort,
            entity: "audit".to_owned(),
            id: r.id,
            event_id: r.event_id,
            action: r.action.clone(),
            user_id: r.user_id,
            resource_type: r.resource_type.clone(),
            resource_id: r.resource_id.clone(),
            ip_address: r.ip_address.clone(),
            user_agent: r.user_agent.clone(),
            context: serde_json::to_string(&r.context)?,
            created_at: r.created_at,
        })
    }

    pub(crate) fn into_record(self) -> Result<AuditRecord, serde_json::Error> {
        Ok(AuditRecord {
            id: self.id,
            event_id: self.event_id,
            action: self.action,
            user_id: self.user_id,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            ip_address: self.ip_address,
            user_agent: self.user_agent,
            context: serde_json::from_str(&self.context)?,
            created_at: self.created_at,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Processed events
// ---------------------------------------------------------------------------------------

pub(crate) const STATUS_CLAIMED: &str = "claimed";
pub(crate) const STATUS_DONE: &str = "done";

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ProcessedItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub consumer: String,
    pub event_id: Uuid,
    pub status: String,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub ttl: i64,
}

// ---------------------------------------------------------------------------------------
// Scheduled jobs
// ---------------------------------------------------------------------------------------

/// `JOB#<job>` / `LASTRUN`: the last recorded run of a scheduled job.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct JobRunItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub job: Job,
    #[serde(with = "ts")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub finished_at: DateTime<Utc>,
    pub outcome: JobOutcome,
    pub counts: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl JobRunItem {
    pub(crate) fn new(r: &JobRun) -> Self {
        Self {
            PK: job_pk(r.job.as_str()),
            SK: JOB_RUN_SK.to_owned(),
            entity: "job_run".to_owned(),
            job: r.job,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome,
            counts: r.counts.clone(),
            error: r.error.clone(),
        }
    }

    pub(crate) fn into_run(self) -> JobRun {
        JobRun {
            job: self.job,
            started_at: self.started_at,
            finished_at: self.finished_at,
            outcome: self.outcome,
            counts: self.counts,
            error: self.error,
        }
    }
}

/// Only the key of an item, for deletes found through an index.
#[derive(Debug, Deserialize)]
pub(crate) struct KeyOnly {
    pub PK: String,
    pub SK: String,
}
