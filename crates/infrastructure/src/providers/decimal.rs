//! Numbers off the wire into `Decimal` through their text, never through f64 arithmetic.
//! Schwab sends JSON numbers (serde_json keeps a float as the f64 nearest the text and
//! prints it back as the shortest string that round-trips, so "4066.49" stays 4066.49);
//! Alpaca sends strings.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Wire {
    Number(serde_json::Number),
    Text(String),
}

/// A decimal from its text: plain (`-164.85`) or scientific (`1e-7`, as serde_json
/// prints tiny floats).
pub fn parse(text: &str) -> Option<Decimal> {
    let t = text.trim();
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
        .map(|d| d.normalize())
}

fn from_wire<E: serde::de::Error>(w: Wire) -> Result<Decimal, E> {
    let text = match w {
        Wire::Number(n) => n.to_string(),
        Wire::Text(s) => s,
    };
    parse(&text).ok_or_else(|| E::custom("not a decimal number"))
}

/// `#[serde(deserialize_with = "decimal::required")]`
pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    from_wire(Wire::deserialize(d)?)
}

/// `#[serde(default, deserialize_with = "decimal::optional")]`: absent, `null` or `""` → None.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Wire>::deserialize(d)? {
        None => Ok(None),
        Some(Wire::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(w) => from_wire(w).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "required")]
        a: Decimal,
        #[serde(default, deserialize_with = "optional")]
        b: Option<Decimal>,
    }

    fn row(json: &str) -> Row {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_and_strings_keep_their_digits() {
        let r = row(r#"{"a": 4066.49, "b": "262113.632"}"#);
        assert_eq!(r.a.to_string(), "4066.49");
        assert_eq!(r.b.unwrap().to_string(), "262113.632");
        // f64 arithmetic would give 0.30000000000000004.
        let r = row(r#"{"a": 0.1}"#);
        assert_eq!((r.a + parse("0.2").unwrap()).to_string(), "0.3");
        assert_eq!(row(r#"{"a": -0.65}"#).a.to_string(), "-0.65");
        assert_eq!(row(r#"{"a": 1e-7}"#).a.to_string(), "0.0000001");
        assert_eq!(row(r#"{"a": 100000}"#).a.to_string(), "100000");
        assert_eq!(row(r#"{"a": 1, "b": null}"#).b, None);
        assert_eq!(row(r#"{"a": 1, "b": ""}"#).b, None);
        assert!(serde_json::from_str::<Row>(r#"{"a": "abc"}"#).is_err());
    }
}
