//! Request and response bodies, as the API contract names them, plus shape validation
//! (422) that serde alone does not express. Context first, like the routes.

pub mod identity;
pub mod imports;
pub mod names;
pub mod platform;
pub mod portfolio;
pub mod providers;
pub(crate) mod validate;

pub use validate::Validate;
