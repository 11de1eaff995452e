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

// --- Providers and portfolio --------------------------------------------------------
// Provider ids (account, transaction, holding) may hold any character, `#` and spaces
// included: they always come after the last fixed segment of a key, so they never
// shift another segment, and `begins_with` on the fixed part still selects exactly.

pub(crate) const CONNECTION_SK_PREFIX: &str = "CONNECTION#";
pub(crate) const CONNECTION_GSI1SK: &str = "CONNECTION";
pub(crate) const OAUTH_STATE_SK: &str = "OAUTHSTATE";
pub(crate) const ACCOUNT_SK_PREFIX: &str = "ACCOUNT#";
pub(crate) const ACCOUNT_GSI1SK: &str = "ACCOUNT";
pub(crate) const TXN_SK_PREFIX: &str = "TXN#";
/// Above every `TXN#<date>#<id>`: `~` sorts after digits and `#`.
pub(crate) const TXN_SK_MAX: &str = "TXN#~";
pub(crate) const TXN_KEY_SK_PREFIX: &str = "TXNKEY#";
pub(crate) const TXN_GSI1SK: &str = "TRANSACTION";
pub(crate) const HOLDING_SK_PREFIX: &str = "HOLDING#";
pub(crate) const SNAP_SK_PREFIX: &str = "SNAP#";

pub(crate) const IMPORT_SK_PREFIX: &str = "IMPORT#";
pub(crate) const IMPORT_GSI1SK: &str = "IMPORT";

pub(crate) fn import_sk(id: Uuid) -> String {
    format!("{IMPORT_SK_PREFIX}{id}")
}

pub(crate) fn import_gsi1pk(id: Uuid) -> String {
    format!("IMPORT#{id}")
}

pub(crate) fn connection_sk(id: Uuid) -> String {
    format!("{CONNECTION_SK_PREFIX}{id}")
}

pub(crate) fn connection_gsi1pk(id: Uuid) -> String {
    format!("CONNECTION#{id}")
}

pub(crate) fn oauth_state_pk(hash: &TokenHash) -> String {
    format!("OAUTHSTATE#{}", hash.as_str())
}

pub(crate) fn sync_claim_sk(claim: &str) -> String {
    format!("SYNCCLAIM#{claim}")
}

pub(crate) fn account_sk(id: Uuid) -> String {
    format!("{ACCOUNT_SK_PREFIX}{id}")
}

/// The account's own partition (its transactions and snapshots) and its GSI1 key.
pub(crate) fn account_pk(id: Uuid) -> String {
    format!("ACCOUNT#{id}")
}

/// The `(connection, provider account id)` marker. `ACCTKEY#`, not `ACCOUNT…`, so that
/// `begins_with(SK, "ACCOUNT#")` never lists a marker.
pub(crate) fn account_key_sk(connection_id: Uuid, provider_account_id: &str) -> String {
    format!("ACCTKEY#{connection_id}#{provider_account_id}")
}

/// `TXN#<YYYY-MM-DD>#<id>`: date first, so a descending Query is newest first.
pub(crate) fn txn_sk(date: NaiveDate, id: Uuid) -> String {
    format!("{TXN_SK_PREFIX}{}#{id}", date.format("%Y-%m-%d"))
}

/// The lowest and highest sort key of transactions dated within `[start, end]`.
pub(crate) fn txn_sk_bounds(start: Option<NaiveDate>, end: Option<NaiveDate>) -> (String, String) {
    let lo = start.map_or_else(
        || TXN_SK_PREFIX.to_owned(),
        |d| format!("{TXN_SK_PREFIX}{}", d.format("%Y-%m-%d")),
    );
    let hi = end.map_or_else(
        || TXN_SK_MAX.to_owned(),
        |d| format!("{TXN_SK_PREFIX}{}~", d.format("%Y-%m-%d")),
    );
    (lo, hi)
}

pub(crate) fn txn_key_sk(provider_transaction_id: &str) -> String {
    format!("{TXN_KEY_SK_PREFIX}{provider_transaction_id}")
}

pub(crate) fn txn_gsi1pk(id: Uuid) -> String {
    format!("TRANSACTION#{id}")
}

pub(crate) fn holding_prefix(account_id: Uuid) -> String {
    format!("{HOLDING_SK_PREFIX}{account_id}#")
}

pub(crate) fn holding_sk(account_id: Uuid, provider_holding_id: &str) -> String {
    format!("{}{provider_holding_id}", holding_prefix(account_id))
}

/// `SNAP#<captured_at, fixed width>#<id>`: time order.
pub(crate) fn snapshot_sk(captured_at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}#{id}", snapshot_sk_at(captured_at))
}

/// `SNAP#<at>`: below every snapshot captured at `at`.
pub(crate) fn snapshot_sk_at(at: DateTime<Utc>) -> String {
    format!("{SNAP_SK_PREFIX}{}", super::ts::format(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_keys_sort_newest_first_and_stay_inside_their_bounds() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 1, d).unwrap_or_default();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(txn_sk(day(2), a) < txn_sk(day(2), b));
        assert!(txn_sk(day(2), b) < txn_sk(day(3), a));
        let (lo, hi) = txn_sk_bounds(Some(day(2)), Some(day(3)));
        for k in [txn_sk(day(2), a), txn_sk(day(3), b)] {
            assert!(lo <= k && k <= hi, "{k}");
        }
        assert!(txn_sk(day(4), a) > hi && txn_sk(day(1), a) < lo);
        // Markers share the partition but never fall inside the unbounded range.
        let (lo, hi) = txn_sk_bounds(None, None);
        let marker = txn_key_sk("20220304095318500::uuid");
        assert!(!(lo <= marker && marker <= hi));
        assert!(!account_key_sk(a, "x").starts_with(ACCOUNT_SK_PREFIX));
    }
}
