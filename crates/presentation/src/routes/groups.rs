//! Each endpoint group's routes, one function per group (what [`Group::declarations`]
//! names, and what a Lambda function's `main` passes to its runner).
//!
//! [`Group::declarations`]: super::Group::declarations

use super::{Route, events, identity, imports as im, platform, portfolio as p, providers as pr};

fn all(parts: impl IntoIterator<Item = Vec<Route>>) -> Vec<Route> {
    parts.into_iter().flatten().collect()
}

pub fn users() -> Vec<Route> {
    identity::users::routes()
}

pub fn sessions() -> Vec<Route> {
    identity::sessions::routes()
}

pub fn tokens() -> Vec<Route> {
    identity::tokens::routes()
}

pub fn email_verifications() -> Vec<Route> {
    identity::email_verifications::routes()
}

pub fn password_resets() -> Vec<Route> {
    identity::password_resets::routes()
}

pub fn admin() -> Vec<Route> {
    use identity::{roles, security_rotations};
    use platform::{audit, jobs};
    all([
        security_rotations::routes(),
        vec![jobs::admin_route()],
        roles::routes(),
        audit::routes(),
    ])
}

pub fn system() -> Vec<Route> {
    use platform::{jobs, system};
    all([system::routes(), vec![jobs::health_route()]])
}

pub fn events() -> Vec<Route> {
    events::routes()
}

pub fn providers() -> Vec<Route> {
    all([pr::connections::routes(), pr::callback::routes()])
}

pub fn syncs() -> Vec<Route> {
    p::syncs::routes()
}

pub fn portfolio() -> Vec<Route> {
    all([
        p::accounts::routes(),
        p::transactions::routes(),
        p::holdings::routes(),
        p::balances::routes(),
        p::overview::routes(),
    ])
}

pub fn imports() -> Vec<Route> {
    im::routes()
}
