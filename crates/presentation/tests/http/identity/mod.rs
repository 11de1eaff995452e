//! The identity API over HTTP, in process: every route of API.md's identity groups,
//! through the real router, extractors and problem rendering, over in-memory ports.

mod admin;
mod login;
mod password_reset;
mod registration;
mod sessions;
mod system;
mod tokens;

/// What the identity tests share.
mod prelude {
    pub use std::collections::BTreeSet;

    pub use axum::http::{Method, header};
    pub use chrono::Duration;
    pub use dashtam_domain::{
        identity::ports::AccessTokenService as _, platform::events::EventPayload,
    };
    pub use dashtam_infrastructure::security::JwtAccessTokens;
    pub use serde_json::{Value, json};
    pub use uuid::Uuid;

    pub use crate::support::{
        BASE_URL, CLIENT_IP, NEW_PASSWORD, OTHER_KEY, PASSWORD, TestApp, jwt_claims, raw_post,
    };
}
