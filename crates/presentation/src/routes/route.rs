//! The route declaration: each route is declared once — its handler's `#[utoipa::path]`
//! gives the method, the path template and the OpenAPI operation, and [`Route::new`] adds
//! who may call it ([`Access`]) and its rate-limit [`Policy`]. The routers and the
//! OpenAPI document are both built from these declarations, so a route cannot be served
//! undeclared, undocumented, unguarded or unlimited.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex, OnceLock},
};

use axum::{
    Router,
    extract::Request,
    http::Method,
    middleware::{self, Next},
    routing::MethodRouter,
};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use utoipa::openapi::{HttpMethod, RefOr, path::Operation, schema::Schema};
use utoipa_axum::router::UtoipaMethodRouter;

use crate::{AppState, gate};

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, no token.
    Public,
    /// Any live session, whatever its roles (logout, one's own profile).
    Authenticated,
    /// A live session whose user's current roles grant the permission.
    Permission(Permission),
}

/// One route: method, path template (axum syntax), access, rate-limit policy, handler and
/// OpenAPI operation.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub policy: Policy,
    handler: MethodRouter<AppState>,
    pub(crate) operation: Operation,
    pub(crate) schemas: Vec<(String, RefOr<Schema>)>,
}

impl Route {
    /// `handler` is `utoipa_axum::routes!(one_handler)`: exactly one method and path.
    ///
    /// # Panics
    /// When the handler's `#[utoipa::path]` does not declare exactly one method (a
    /// declaration mistake, caught by every test that builds a router).
    pub fn new(handler: UtoipaMethodRouter<AppState>, access: Access, policy: Policy) -> Self {
        let (schemas, paths, handler) = handler;
        let mut declared = paths.paths.into_iter().flat_map(|(path, item)| {
            [
                (HttpMethod::Get, item.get),
                (HttpMethod::Post, item.post),
                (HttpMethod::Put, item.put),
                (HttpMethod::Patch, item.patch),
                (HttpMethod::Delete, item.delete),
            ]
            .into_iter()
            .filter_map(move |(m, op)| op.map(|op| (path.clone(), m, op)))
        });
        let (path, method, operation) = declared.next().expect("a route declares a method");
        assert!(declared.next().is_none(), "{path}: one method per route");
        Self {
            method: method_of(&method),
            path: intern(path),
            access,
            policy,
            handler,
            operation,
            schemas,
        }
    }
}

/// The declared path as a `&'static str`: each distinct path is kept once per process
/// (the set of routes is fixed, so this is bounded).
fn intern(path: String) -> &'static str {
    static PATHS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut paths = PATHS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = paths.get(path.as_str()) {
        return p;
    }
    let p: &'static str = Box::leak(path.into_boxed_str());
    paths.insert(p);
    p
}

fn method_of(m: &HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Trace => Method::TRACE,
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({:?}, {})",
            self.method, self.path, self.access, self.policy
        )
    }
}

/// The router of a route table, each route behind the request gate (verify the bearer
/// once, take a token from the caller's bucket, authorise).
pub fn build(routes: Vec<Route>) -> Router<AppState> {
    routes.into_iter().fold(Router::new(), |router, r| {
        let declared = Arc::new(gate::Declared {
            access: r.access,
            policy: r.policy,
            route: format!("{} {}", r.method, r.path),
            template: r.path.to_owned(),
        });
        let handler =
            r.handler
                .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                    gate::gate(declared.clone(), req, next)
                }));
        router.route(r.path, handler)
    })
}
