//! Request and response bodies, as the API contract names them, plus shape validation
//! (422) that serde alone does not express.

pub mod admin;
pub mod admin_audit;
pub mod admin_roles;
pub mod identity;
pub mod jobs;
pub mod sessions;
pub mod system;
mod validate;

pub use validate::Validate;
