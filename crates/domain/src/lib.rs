//! The domain: what Dashtam *is*, free of HTTP, AWS and storage.
//!
//! Ports (traits in [`ports`]) are the only way the application reaches the outside world.

pub mod errors;
pub mod identity;
pub mod imports;
mod named;
pub mod platform;
pub mod portfolio;
pub mod providers;

pub use errors::{Conflict, Existing, FieldError, StoreError};
