use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A syntactically valid, normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() || normalised.len() > Self::MAX_LEN {
            return Err(FieldError::new(
                "email",
                "value_error",
                "must be a valid email address of at most 255 characters",
            ));
        }
        email_address::EmailAddress::from_str(&normalised).map_err(|_| {
            FieldError::new("email", "value_error", "must be a valid email address")
        })?;
        // The crate accepts display-name forms ("A <a@b.c>") and quoted locals; we don't.
        if normalised.contains(['<', '>', ' ', '"']) || !normalised.contains('@') {
            return Err(FieldError::new(
                "email",
                "value_error",
                "must be a valid email address",
            ));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "no-at-sign", "a@", "@b.c", "A <a@b.c>", "a b@c.d"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_is_idempotent(s in "\\PC{0,300}") {
            if let Ok(e) = Email::parse(&s) {
                proptest::prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
            }
        }
    }
}
