//! OFX datetimes: `YYYYMMDD[HHMMSS[.XXX]][[±HH[.MM]][:TZ]]` (providers.md §4.4). The
//! date is the first eight digits, the bank's own calendar date: the offset is checked
//! for form but never applied, so a 23:30 EST row stays on its day (Q9).

use chrono::NaiveDate;

/// What a datetime field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfxDate {
    Date(NaiveDate),
    /// `00000000`, which some banks send for "no date".
    Null,
}

/// The calendar date of an OFX datetime; `None` when it is not one.
pub fn parse(text: &str) -> Option<OfxDate> {
    let t = text.trim();
    let (date, rest) = (t.get(..8)?, t.get(8..)?);
    if !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if date == "00000000" {
        return Some(OfxDate::Null);
    }
    let year = date.get(..4)?.parse().ok()?;
    let month = date.get(4..6)?.parse().ok()?;
    let day = date.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    tail_is_valid(rest).then_some(OfxDate::Date(date))
}

/// `[HHMM[SS[.XXX]]][[±HH[.MM]][:TZ]]` after the date.
fn tail_is_valid(rest: &str) -> bool {
    let (time, zone) = match rest.find('[') {
        Some(at) => (rest.get(..at).unwrap_or_default(), rest.get(at..)),
        None => (rest, None),
    };
    time_is_valid(time.trim_end()) && zone.is_none_or(zone_is_valid)
}

fn time_is_valid(time: &str) -> bool {
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    if !clock.bytes().all(|b| b.is_ascii_digit()) || !matches!(clock.len(), 0 | 4 | 6) {
        return false;
    }
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
        || (fraction.is_some() && clock.len() != 6)
    {
        return false;
    }
    let part = |at: usize| clock.get(at..at + 2).and_then(|p| p.parse::<u32>().ok());
    let in_range = |at: usize, max: u32| part(at).is_none_or(|v| v <= max);
    // 60 for a leap second, as the spec allows.
    in_range(0, 23) && in_range(2, 59) && in_range(4, 60)
}

/// `[-5:EST]`, `[+0:UTC]`, `[-3.5:NST]`, `[0]`, `[-:TZ]` (Interactive Brokers).
fn zone_is_valid(zone: &str) -> bool {
    let Some(inner) = zone.strip_prefix('[').and_then(|z| z.strip_suffix(']')) else {
        return false;
    };
    let (offset, name) = match inner.split_once(':') {
        Some((offset, name)) => (offset, Some(name)),
        None => (inner, None),
    };
    let digits = offset.trim().trim_start_matches(['+', '-']);
    let (hours, minutes) = match digits.split_once('.') {
        Some((h, m)) => (h, Some(m)),
        None => (digits, None),
    };
    let numeric = |s: &str| s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let offset_ok = numeric(hours)
        && minutes.is_none_or(|m| !m.is_empty() && numeric(m))
        && offset.trim().len() - digits.len() <= 1;
    let name_ok = name.is_none_or(|n| {
        n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_/+-. ".contains(&b))
    });
    offset_ok && name_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<OfxDate> {
        NaiveDate::from_ymd_opt(y, m, d).map(OfxDate::Date)
    }

    #[test]
    fn the_first_eight_digits_whatever_the_offset() {
        for text in [
            "20240115",
            "202401151200",
            "20240115120000",
            "20240115120000.000",
            "20240115233000.000[-5:EST]",
            "20240115000000[+0:UTC]",
            "20240115235959[-3.5:NST]",
            "20240115120000[0]",
            "20240115120000[-:TZ]",
            "20240115120000[+05.30:IST]",
            " 20240115 ",
        ] {
            assert_eq!(parse(text), day(2024, 1, 15), "{text}");
        }
        assert_eq!(parse("00000000"), Some(OfxDate::Null));
    }

    #[test]
    fn not_dates() {
        for text in [
            "",
            "2024011",
            "2024-01-15",
            "20241345",
            "20240230",
            "20240115T1200",
            "2024011512",
            "20240115250000",
            "20240115120000.",
            "20240115120000[EST",
            "20240115120000[x:EST]",
            "20240115120000[--5:EST]",
            "202401151200.5",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
