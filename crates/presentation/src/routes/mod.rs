//! One module per endpoint group; each group is one Lambda function.

pub mod admin;
pub mod email_verifications;
pub mod jobs;
pub mod password_resets;
pub mod sessions;
pub mod system;
pub mod tokens;
pub mod users;

use axum::Router;

use crate::AppState;

/// The endpoint groups; each Lambda binary serves one, the local stack all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Users,
    Sessions,
    Tokens,
    EmailVerifications,
    PasswordResets,
    Admin,
    System,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Users,
        Group::Sessions,
        Group::Tokens,
        Group::EmailVerifications,
        Group::PasswordResets,
        Group::Admin,
        Group::System,
    ];

    pub fn router(self) -> Router<AppState> {
        match self {
            Group::Users => users::router(),
            Group::Sessions => sessions::router(),
            Group::Tokens => tokens::router(),
            Group::EmailVerifications => email_verifications::router(),
            Group::PasswordResets => password_resets::router(),
            Group::Admin => admin::router(),
            Group::System => system::router(),
        }
    }
}
