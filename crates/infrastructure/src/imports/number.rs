//! Amounts as files write them, into `Decimal` through their text (never f64).

use std::{borrow::Cow, str::FromStr};

use rust_decimal::Decimal;

/// An OFX `TRNAMT`/`BALAMT`: signed, a leading `+` allowed, and a comma as the decimal
/// separator (`-19,78`, `1.234,56`, `10 000,50`) as some banks write it (Q8).
pub fn ofx_amount(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() {
        return None;
    }
    let cleaned: Cow<'_, str> = if t.contains([',', ' ']) {
        let no_spaces: String = t.chars().filter(|c| *c != ' ').collect();
        match (no_spaces.rfind(','), no_spaces.rfind('.')) {
            // `1.234,56` or `-19,78`: the comma is the decimal point.
            (Some(comma), dot) if dot.is_none_or(|d| d < comma) => {
                Cow::Owned(no_spaces.replace('.', "").replace(',', "."))
            }
            // `1,234.56`: the commas group thousands.
            _ => Cow::Owned(no_spaces.replace(',', "")),
        }
    } else {
        Cow::Borrowed(t)
    };
    decimal(&cleaned)
}

/// A CSV amount: a sign, `$`, thousands commas, or parentheses for a negative
/// (`(1,234.50)`, `-$5.00`, `$-5.00`, `+12`).
pub fn csv_amount(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let (negative_parens, t) = match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, t),
    };
    let mut negative = false;
    let mut digits = String::with_capacity(t.len());
    for (i, c) in t.chars().enumerate() {
        match c {
            '-' if digits.is_empty() && !negative => negative = true,
            '+' if i == 0 => {}
            '$' | ',' | ' ' => {}
            _ => digits.push(c),
        }
    }
    if digits.is_empty() || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = decimal(&digits)?;
    if (value.is_sign_negative() && (negative || negative_parens)) || (negative && negative_parens)
    {
        return None; // `--5`, `(-5)`: not an amount
    }
    Some(if negative || negative_parens {
        -value
    } else {
        value
    })
}

/// Plain decimal text only: digits, one optional point, an optional leading `-`.
fn decimal(text: &str) -> Option<Decimal> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let ok = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|b| *b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    Decimal::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn ofx_amounts() {
        for (text, want) in [
            ("-50.00", "-50.00"),
            ("+1058,53", "1058.53"),
            ("-19,78", "-19.78"),
            ("1.234,56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("10 000,50", "10000.50"),
            ("-01.01", "-1.01"),
            (" 12 ", "12"),
            (".5", "0.5"),
        ] {
            assert_eq!(ofx_amount(text), Some(d(want)), "{text}");
        }
        for bad in ["", "null", "abc", "1.2.3", "--5", "1e5", "-", "+"] {
            assert_eq!(ofx_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_amounts() {
        for (text, want) in [
            ("-2500.00", "-2500.00"),
            ("$1,234.50", "1234.50"),
            ("(1,234.50)", "-1234.50"),
            ("-$5.00", "-5.00"),
            ("$-5.00", "-5.00"),
            ("+12", "12"),
            ("0", "0"),
        ] {
            assert_eq!(csv_amount(text), Some(d(want)), "{text}");
        }
        for bad in ["", "$", "abc", "(-5)", "--5", "5-", "1.2.3"] {
            assert_eq!(csv_amount(bad), None, "{bad}");
        }
    }
}
