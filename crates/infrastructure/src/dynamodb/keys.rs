//! Keys of every item: constant sort keys, partition-key builders and GSI2's hour buckets.
//! The item shapes themselves live next to their repositories.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, NaiveDate, Utc};
use dashtam_domain::identity::{
    entities::OneTimeTokenKind,
    value_objects::{Email, TokenHash},
};
use uuid::Uuid;

use super::table::Item;

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

/// The primary key of an item, as the SDK wants it.
pub(crate) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("PK".to_owned(), AttributeValue::S(pk)),
        ("SK".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

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
pub(crate) fn audit_day_gsi2pk(day: NaiveDate) -> String {
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
