//! A CSV row's dates, column keys, and the account digits of a Chase file name.

use chrono::NaiveDate;

/// ISO `YYYY-MM-DD` or US `MM/DD/YYYY` (one-digit month and day too).
pub fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let number = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let mut parts = t.split(['-', '/']);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = if t.contains('-') && a.len() == 4 && !t.contains('/') {
        (number(a, 4)?, number(b, 2)?, number(c, 2)?)
    } else if t.contains('/') && !t.contains('-') && c.len() == 4 {
        (number(c, 4)?, number(a, 2)?, number(b, 2)?)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A header name as a metadata key: `Posting Date` → `posting_date`, `Check or Slip #`
/// → `check_or_slip`.
pub fn key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.trim_start_matches('\u{feff}').trim().chars() {
        if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    while key.ends_with('_') {
        key.pop();
    }
    key
}

/// The last four digits in a Chase export's name: `Chase1234_Activity_20211019.CSV`,
/// `Chase1234_Activity20210103_20210202_20210214.CSV`, and the older
/// `Chase1234_RecentActivity_…` and `Chase1234_Activity_Stmt_…`.
pub fn chase_account_digits(file_name: &str) -> Option<&str> {
    let base = file_name.rsplit(['/', '\\']).next()?;
    let prefix = base.get(..5)?;
    if !prefix.eq_ignore_ascii_case("chase") {
        return None;
    }
    let digits = base.get(5..9)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = base.get(9..)?.strip_prefix('_')?.to_ascii_lowercase();
    (rest.starts_with("activity") || rest.starts_with("recentactivity")).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_us_dates() {
        let want = NaiveDate::from_ymd_opt(2021, 9, 3);
        for text in ["2021-09-03", "09/03/2021", "9/3/2021", " 09/03/2021 "] {
            assert_eq!(date(text), want, "{text}");
        }
        for bad in [
            "",
            "2021-13-01",
            "13/45/2021",
            "09/03/21",
            "2021/09/03",
            "09-03-2021",
            "x",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_and_file_names() {
        assert_eq!(key("Posting Date"), "posting_date");
        assert_eq!(key("Check or Slip #"), "check_or_slip");
        assert_eq!(key("\u{feff}Trans. Date"), "trans_date");
        for name in [
            "Chase1234_Activity_20211019.CSV",
            "Chase1234_Activity20210103_20210202_20210214.CSV",
            "Chase1234_RecentActivity_20200101.csv",
            "Chase1234_Activity_Stmt_20200101.csv",
            "downloads/chase1234_activity_20211019.csv",
        ] {
            assert_eq!(chase_account_digits(name), Some("1234"), "{name}");
        }
        for name in [
            "Chase12_Activity.CSV",
            "export.csv",
            "Chase1234.csv",
            "Chase12345_Activity.csv",
        ] {
            assert_eq!(chase_account_digits(name), None, "{name}");
        }
    }
}
