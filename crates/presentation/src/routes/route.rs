//! The route declaration: each route is declared once — its handler's `#[utoipa::path]`
//! gives the method, the path template and the OpenAPI operation, and `route!` adds
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
    handler::Handler,
    http::Method,
    middleware::{self, Next},
    routing::{MethodFilter, MethodRouter},
};
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use utoipa::openapi::{HttpMethod, RefOr, path::Operation, schema::Schema};

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

/// A route's OpenAPI operation and the schemas it refers to, built only when the document
/// is (a function serving requests never builds them).
pub type OpenApiPart = fn() -> (Operation, Vec<(String, RefOr<Schema>)>);

/// One route: method, path template (axum syntax), access, rate-limit policy, handler and
/// OpenAPI operation.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub policy: Policy,
    handler: MethodRouter<AppState>,
    pub(crate) openapi: OpenApiPart,
    /// The largest body it takes, where that is more than the app's default.
    body_limit: Option<usize>,
}

/// Declares a route: `route!(handler, access, policy)`. The handler's `#[utoipa::path]`
/// gives its method and path (and, lazily, its operation); exactly one method per route.
macro_rules! route {
    ($handler:ident, $access:expr, $policy:expr $(,)?) => {
        ::paste::paste! {
            $crate::routes::Route::new(
                <[<__path_ $handler>] as ::utoipa::Path>::methods(),
                <[<__path_ $handler>] as ::utoipa::Path>::path(),
                $handler,
                $access,
                $policy,
                || {
                    use ::utoipa::{Path as _, __dev::{SchemaReferences as _, Tags as _}};
                    let mut schemas = Vec::new();
                    [<__path_ $handler>]::schemas(&mut schemas);
                    let mut operation = [<__path_ $handler>]::operation();
                    let tags = [<__path_ $handler>]::tags();
                    if !tags.is_empty() {
                        let operation_tags = operation.tags.get_or_insert_with(Vec::new);
                        operation_tags.extend(tags.iter().map(ToString::to_string));
                    }
                    (operation, schemas)
                },
            )
        }
    };
}
pub(crate) use route;

impl Route {
    /// Called by [`route!`], with what the handler's `#[utoipa::path]` declares.
    ///
    /// # Panics
    /// When it declares other than exactly one method (a declaration mistake, caught by
    /// every test that builds a router).
    pub fn new<H, T>(
        methods: Vec<HttpMethod>,
        path: String,
        handler: H,
        access: Access,
        policy: Policy,
        openapi: OpenApiPart,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let [method] = &methods[..] else {
            panic!("{path}: one method per route, not {}", methods.len());
        };
        let method = method_of(method);
        let filter =
            MethodFilter::try_from(method.clone()).unwrap_or_else(|e| panic!("{path}: {e}"));
        Self {
            method,
            path: intern(path),
            access,
            policy,
            handler: axum::routing::on(filter, handler),
            openapi,
            body_limit: None,
        }
    }

    /// Takes bodies of up to `bytes` (a file upload), instead of the app's default.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
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
        let mut handler = r.handler;
        if let Some(bytes) = r.body_limit {
            // Innermost, so it overrides the app-wide limit for this route only.
            handler = handler.layer(axum::extract::DefaultBodyLimit::max(bytes));
        }
        let handler = handler.route_layer(middleware::from_fn(move |req: Request, next: Next| {
            gate::gate(declared.clone(), req, next)
        }));
        router.route(r.path, handler)
    })
}
