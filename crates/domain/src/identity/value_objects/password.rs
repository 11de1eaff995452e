use std::fmt;

use crate::FieldError;

/// The special characters the password policy counts (the original's set).
pub const PASSWORD_SPECIALS: &str = "!@#$%^&*(),.?\":{}|<>";

/// A plaintext password that satisfies the policy. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 128;

    /// Checks the policy and reports every rule it breaks, so the client can fix them at once.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Vec<FieldError>> {
        let len = raw.chars().count();
        let mut errors = Vec::new();
        let mut rule = |ok: bool, code: &str, message: &str| {
            if !ok {
                errors.push(FieldError::new(field, code, message));
            }
        };
        rule(
            (Self::MIN_LEN..=Self::MAX_LEN).contains(&len),
            "password_length",
            "must be 8 to 128 characters long",
        );
        rule(
            raw.chars().any(char::is_uppercase),
            "password_uppercase",
            "must contain an upper-case letter",
        );
        rule(
            raw.chars().any(char::is_lowercase),
            "password_lowercase",
            "must contain a lower-case letter",
        );
        rule(
            raw.chars().any(|c| c.is_ascii_digit()),
            "password_digit",
            "must contain a digit",
        );
        rule(
            raw.chars().any(|c| PASSWORD_SPECIALS.contains(c)),
            "password_special",
            "must contain a special character from !@#$%^&*(),.?\":{}|<>",
        );
        if errors.is_empty() {
            Ok(Self(raw.to_owned()))
        } else {
            Err(errors)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_strong_password() {
        assert!(Password::parse("Str0ng!Passw0rd", "password").is_ok());
    }

    #[test]
    fn reports_every_broken_rule() {
        let errs = Password::parse("short", "password").unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "password_length",
                "password_uppercase",
                "password_digit",
                "password_special"
            ]
        );
        assert!(errs.iter().all(|e| e.field == "password"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let long = format!("Aa1!{}", "é".repeat(124));
        assert!(Password::parse(&long, "password").is_ok());
        assert!(Password::parse(&format!("{long}x"), "password").is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let p = Password::parse("Str0ng!Passw0rd", "password").unwrap();
        assert!(!format!("{p:?}").contains("Str0ng"));
    }
}
