//! One module per endpoint group; each group is one Lambda function. Every group is a
//! route table ([`Route`]): each route declares its [`Access`] and is built behind its
//! guard, so no route can be added without saying who may call it.

mod access;
pub mod admin;
pub mod admin_audit;
pub mod admin_roles;
pub mod email_verifications;
pub mod events;
pub mod jobs;
pub mod password_resets;
pub mod sessions;
pub mod system;
pub mod tokens;
pub mod users;

use axum::Router;

pub use access::{Access, Route};

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
    /// The live stream: its own response-streaming function.
    Events,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Users,
        Group::Sessions,
        Group::Tokens,
        Group::EmailVerifications,
        Group::PasswordResets,
        Group::Admin,
        Group::System,
        Group::Events,
    ];

    /// The group's route table.
    pub fn routes(self) -> Vec<Route> {
        match self {
            Group::Users => users::routes(),
            Group::Sessions => sessions::routes(),
            Group::Tokens => tokens::routes(),
            Group::EmailVerifications => email_verifications::routes(),
            Group::PasswordResets => password_resets::routes(),
            Group::Admin => {
                let mut routes = admin::routes();
                routes.extend(admin_roles::routes());
                routes.extend(admin_audit::routes());
                routes
            }
            Group::System => system::routes(),
            Group::Events => events::routes(),
        }
    }

    pub fn router(self) -> Router<AppState> {
        access::build(self.routes())
    }
}
