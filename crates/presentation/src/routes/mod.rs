//! The routes, context first: `identity/` (users, sessions, tokens, email verification,
//! password resets, admin security and roles) and `platform/` (the live stream, jobs,
//! the audit trail, system), with room for `providers/`, `portfolio/` and `imports/`.
//!
//! Every route is one declaration ([`Route`]): its handler's `#[utoipa::path]` (method,
//! path, OpenAPI operation) plus its [`Access`] and rate-limit policy. Each endpoint
//! [`Group`] is one Lambda function and lists its routes.

mod created;
pub mod identity;
pub mod platform;
mod route;

use axum::Router;

pub use created::{Created, created};
pub use platform::events;
pub(crate) use route::route;
pub use route::{Access, Route};

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

    /// The group's route declarations.
    pub fn routes(self) -> Vec<Route> {
        use identity::{email_verifications, password_resets, roles, security_rotations};
        use platform::{audit, jobs, system};
        match self {
            Group::Users => identity::users::routes(),
            Group::Sessions => identity::sessions::routes(),
            Group::Tokens => identity::tokens::routes(),
            Group::EmailVerifications => email_verifications::routes(),
            Group::PasswordResets => password_resets::routes(),
            Group::Admin => [
                security_rotations::routes(),
                vec![jobs::admin_route()],
                roles::routes(),
                audit::routes(),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Group::System => [system::routes(), vec![jobs::health_route()]]
                .into_iter()
                .flatten()
                .collect(),
            Group::Events => events::routes(),
        }
    }

    pub fn router(self) -> Router<AppState> {
        route::build(self.routes())
    }
}
