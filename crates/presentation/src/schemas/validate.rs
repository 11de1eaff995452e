use dashtam_domain::{FieldError, identity::value_objects::Email};

use crate::ApiError;

/// Shape checks beyond types: lengths, formats. Failing them is a 422.
pub trait Validate {
    fn errors(&self) -> Vec<FieldError>;

    fn validated(self) -> Result<Self, ApiError>
    where
        Self: Sized,
    {
        let errors = self.errors();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

pub fn length(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) {
    let n = value.chars().count();
    if n < min || n > max {
        errors.push(FieldError::new(
            field,
            "string_length",
            format!("must be {min} to {max} characters long"),
        ));
    }
}

/// What [`not_blank`] (and the documented `[^ \t\n\r]` pattern) does not count.
pub const BLANK: [char; 4] = [' ', '\t', '\n', '\r'];

/// At least one character other than [`BLANK`].
pub fn not_blank(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.chars().all(|c| BLANK.contains(&c)) {
        errors.push(FieldError::new(
            field,
            "string_pattern_mismatch",
            "must not be blank",
        ));
    }
}

fn email(errors: &mut Vec<FieldError>, value: &str) -> Option<Email> {
    Email::parse(value).map_err(|e| errors.push(e)).ok()
}

/// A request with an email: checked like any other, and its email parsed once, into the
/// [`Email`] the use case takes.
pub trait WithEmail: Validate + Sized {
    fn raw_email(&self) -> &str;

    /// The parsed email and the checked request, or every shape error (the email's first).
    fn parsed(self) -> Result<(Email, Self), ApiError> {
        let mut errors = Vec::new();
        let parsed = email(&mut errors, self.raw_email());
        errors.extend(self.errors());
        match parsed {
            Some(email) if errors.is_empty() => Ok((email, self)),
            _ => Err(ApiError::invalid(errors)),
        }
    }
}

/// One-time tokens are exactly 64 hex characters.
pub fn hex64(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        errors.push(FieldError::new(
            field,
            "token_format",
            "must be 64 hexadecimal characters",
        ));
    }
}
