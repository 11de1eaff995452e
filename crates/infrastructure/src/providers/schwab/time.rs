//! Schwab's date-times: it answers `2025-04-23T19:59:12+0000` (no colon in the offset,
//! which RFC 3339 parsers refuse) and some fixtures show `+00:00`; it asks for
//! `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in queries.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// A timestamp as Schwab writes one, with or without fraction and offset colon.
pub fn parse(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(t))
        .ok()
}

/// The calendar day of a Schwab timestamp, in the offset it was written with.
pub fn date(text: &str) -> Option<NaiveDate> {
    parse(text).map(|t| t.date_naive())
}

/// `2024-03-28T21:10:42.000Z` for `startDate`/`endDate`.
pub fn query(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_offset_forms_parse() {
        let a = parse("2024-03-28T21:10:42+0000").unwrap();
        let b = parse("2024-03-28T21:10:42+00:00").unwrap();
        let c = parse("2024-03-28T21:10:42.000Z").unwrap();
        let d = parse("2024-03-28T21:10:42.123+0000").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(d.timestamp_subsec_millis(), 123);
        assert_eq!(
            date("2025-04-23T19:59:12+0000"),
            NaiveDate::from_ymd_opt(2025, 4, 23)
        );
        assert_eq!(parse("2024-03-28"), None);
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn queries_carry_milliseconds_and_z() {
        let t = parse("2024-03-28T21:10:42+0000")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(query(t), "2024-03-28T21:10:42.000Z");
    }
}
