//! The routes, context first: `identity/` (users, sessions, tokens, email verification,
//! password resets, admin security and roles), `platform/` (the live stream, jobs,
//! the audit trail, system), `providers/` (connections, OAuth callbacks), `portfolio/`
//! (accounts, transactions, holdings, balances, syncs) and `imports/` (statement files).
//!
//! Every route is one declaration ([`Route`]): its handler's `#[utoipa::path]` (method,
//! path, OpenAPI operation) plus its [`Access`] and rate-limit policy. Each endpoint
//! [`Group`] is one Lambda function and lists its routes.

mod created;
pub mod groups;
pub mod identity;
pub mod imports;
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
    /// Statement file imports and uploads.
    Imports,
}

impl Group {
    pub const ALL: [Group; 12] = [
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
        Group::Imports,
    ];

    /// The group's route declarations.
    pub fn routes(self) -> Vec<Route> {
        (self.declarations())()
    }

    /// The function that declares the group's routes. A Lambda function's `main` names it
    /// directly (`groups::sessions`), so the other groups' handlers are not linked in.
    pub fn declarations(self) -> fn() -> Vec<Route> {
        match self {
            Group::Users => groups::users,
            Group::Sessions => groups::sessions,
            Group::Tokens => groups::tokens,
            Group::EmailVerifications => groups::email_verifications,
            Group::PasswordResets => groups::password_resets,
            Group::Admin => groups::admin,
            Group::System => groups::system,
            Group::Events => groups::events,
            Group::Providers => groups::providers,
            Group::Syncs => groups::syncs,
            Group::Portfolio => groups::portfolio,
            Group::Imports => groups::imports,
        }
    }

    pub fn router(self) -> Router<AppState> {
        route::build(self.routes())
    }
}

/// The router of these route declarations.
pub(crate) fn router_of(routes: Vec<Route>) -> Router<AppState> {
    route::build(routes)
}
