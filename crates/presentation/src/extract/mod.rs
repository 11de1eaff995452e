//! Extractors that turn every malformed input into a problem response.

mod auth;
mod client;
mod json;
mod path;
mod query;

pub use auth::{Admin, Authenticated};
pub use client::{ClientContext, ClientIp};
pub use json::{ApiJson, OptionalJson};
pub use path::ApiPath;
pub use query::ApiQuery;
