//! The providers' scheduled job: token care.

mod care_for_tokens;

pub use care_for_tokens::{CareForTokens, GRANT_NOTICE_WINDOW};
