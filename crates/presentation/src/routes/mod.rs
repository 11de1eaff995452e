//! The routes, context first: `identity/` (users, sessions, tokens, email verification,
//! password resets, admin security and roles), `platform/` (the live stream, jobs,
//! the audit trail, system), `providers/` (connections, OAuth callbacks) and `portfolio/`
//! (accounts, transactions, holdings, balances, syncs).
//!
//! Every route is one declaration ([`Route`]): its handler's `#[utoipa::path]` (method,
//! path, OpenAPI operation) plus its [`Access`] and rate-limit policy. Each endpoint
//! [`Group`] is one Lambda function and lists its routes.

mod created;
pub mod identity;
pub mod platform;
pub mod portfolio;
pub mod providers;
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
    /// Provider connections, the catalogue and the OAuth callbacks.
    Providers,
    /// Account, transaction and holdings syncs: the calls that reach the providers.
    Syncs,
    /// Reads of accounts, transactions, holdings and balances.
    Portfolio,
}

impl Group {
    pub const ALL: [Group; 11] = [
        Group::Users,
        Group::Sessions,
        Group::Tokens,
        Group::EmailVerifications,
        Group::PasswordResets,
        Group::Admin,
        Group::System,
        Group::Events,
        Group::Providers,
        Group::Syncs,
        Group::Portfolio,
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
            Group::Providers => [
                providers::connections::routes(),
                providers::callback::routes(),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Group::Syncs => portfolio::syncs::routes(),
            Group::Portfolio => [
                portfolio::accounts::routes(),
                portfolio::transactions::routes(),
                portfolio::holdings::routes(),
                portfolio::balances::routes(),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    pub fn router(self) -> Router<AppState> {
        route::build(self.routes())
    }
}
