//! The domain: what Dashtam *is*, free of HTTP, AWS and storage.
//!
//! Ports (traits in [`ports`]) are the only way the application reaches the outside world.

pub mod entities;
pub mod errors;
pub mod events;
pub mod ports;
pub mod rate_limit;
pub mod value_objects;

pub use errors::{Conflict, Existing, FieldError, StoreError};
