//! Provider connections: connect (OAuth or API keys), the OAuth callback, reconnect,
//! rename, disconnect, token refresh; and the credentials every sync needs.

pub mod commands;
mod credentials;
pub mod jobs;
mod owned;
pub mod queries;
mod views;

pub(crate) use credentials::usable_credentials;
pub(crate) use owned::owned_connection;
pub use views::ConnectionView;
