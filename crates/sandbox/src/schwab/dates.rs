//! Schwab's date-time formats: what the transactions query accepts, and the `+0000` form it
//! answers with.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

/// `yyyy-MM-dd'T'HH:mm:ss[.SSS]` with `Z` or an offset (`+00:00` or `+0000`); a bare date
/// or anything else is refused.
pub(crate) fn parse_query(value: &str) -> Option<DateTime<Utc>> {
    if !value.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(value)
        .or_else(|_| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `2025-04-23T19:59:12+0000`, as Schwab writes times (no colon in the offset).
pub(crate) fn wire(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%z").to_string()
}

/// The next business day (T+1 settlement; weekends skipped, holidays ignored).
pub(crate) fn settlement(d: NaiveDate) -> NaiveDate {
    let next = d + Duration::days(1);
    match next.weekday() {
        Weekday::Sat => next + Duration::days(2),
        Weekday::Sun => next + Duration::days(1),
        _ => next,
    }
}

pub(crate) fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_iso_forms_and_refuses_a_date() {
        for ok in [
            "2024-03-28T21:10:42.000Z",
            "2024-03-28T21:10:42Z",
            "2024-03-28T21:10:42+0000",
            "2024-03-28T21:10:42.000+00:00",
            "2024-03-28T16:10:42-0500",
        ] {
            assert_eq!(
                parse_query(ok).unwrap().to_rfc3339(),
                "2024-03-28T21:10:42+00:00",
                "{ok}"
            );
        }
        for bad in ["2024-03-28", "2024-03-28T21:10", "yesterday", ""] {
            assert!(parse_query(bad).is_none(), "{bad}");
        }
        let t = parse_query("2025-04-23T19:59:12Z").unwrap();
        assert_eq!(wire(t), "2025-04-23T19:59:12+0000");
    }
}
