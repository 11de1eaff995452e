//! Schwab: OAuth 2 authorization code ([`SchwabOAuth`]) and the Trader API
//! ([`SchwabClient`]) at `https://api.schwabapi.com` (or the sandbox's equivalent).

mod client;
mod config;
mod map;
mod oauth;
mod time;
mod wire;

pub use client::SchwabClient;
pub use config::{SCHWAB_BASE_URL, SchwabConfig};
pub use oauth::{REFRESH_TOKEN_LIFETIME, SchwabOAuth};
