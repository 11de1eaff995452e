//! The timestamp codec of every item.
//!
//! Fixed-width RFC 3339 in UTC with nanoseconds (`2025-01-02T03:04:05.123456789Z`):
//! lossless, and lexicographic order is chronological, which conditions
//! (`expires_at > :now`) and sort keys rely on. Reading accepts any RFC 3339. Use as
//! `#[serde(with = "ts")]`, or `ts::opt` for an optional one (absent when `None`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub(crate) fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Epoch seconds, the unit of DynamoDB's TTL attribute.
pub(crate) fn epoch(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

fn parse<E: serde::de::Error>(raw: &str) -> Result<DateTime<Utc>, E> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(E::custom)
}

pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*at))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    parse(&String::deserialize(d)?)
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
            .map(|raw| parse(&raw))
            .transpose()
    }
}
