//! HTTP: one axum router per endpoint group, over the application's use cases.
//!
//! The same routers run inside each Lambda function (through `lambda_http`) and, merged,
//! in the local stack, so the code path is identical on AWS and on a laptop.

mod client_ip;
mod contract;
pub mod extract;
mod gate;
mod openapi;
mod problem;
mod rate_limit;
pub mod routes;
mod schemas;
mod state;
mod trace;

use axum::{Router, extract::DefaultBodyLimit};

pub use client_ip::forwarded_client;
pub use openapi::ApiDoc;
pub use problem::{ApiError, Problem};
pub use routes::{Access, Group, Route};
pub use state::{AppState, HttpConfig};
pub use trace::TraceId;

/// Identity request bodies are tiny; anything bigger is abuse.
const BODY_LIMIT: usize = 64 * 1024;

/// A router serving `groups`, with the layers every response needs: trace id, request
/// log, problem+json for unknown routes and methods, body limit, client IP, and the rate
/// gate on every declared route (bearer verified once, rate limit, access; unknown routes
/// and wrong methods reach no route and are not charged).
pub fn app(state: AppState, groups: &[Group]) -> Router {
    app_of(state, groups.iter().flat_map(|g| g.routes()).collect())
}

/// The app serving exactly `routes` (a Lambda function's group: see `routes::groups`).
pub fn app_of(state: AppState, routes: Vec<Route>) -> Router {
    routes::router_of(routes)
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // The request gates read the state from here (route layers get no router state).
        .layer(axum::Extension(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client_ip::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trace::trace,
        ))
        .with_state(state)
}
