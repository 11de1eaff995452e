//! The route table: every route names the access it needs, and the routers are built from
//! the table, so a route cannot exist without a declaration. The guard authenticates and
//! authorises before the handler runs; handlers receive the [`Principal`] it established.

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::MethodRouter,
};
use dashtam_application::{commands::Authenticate, dto::Principal};
use dashtam_core::ErrorCode;
use dashtam_domain::entities::Permission;

use crate::{ApiError, AppState};

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

/// One route: method, path template (axum syntax), access, handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

impl Route {
    pub fn new(
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        Self {
            method,
            path,
            access,
            handler,
        }
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({:?})", self.method, self.path, self.access)
    }
}

/// The router of a route table, each route behind its guard.
pub fn build(routes: Vec<Route>) -> Router<AppState> {
    routes.into_iter().fold(Router::new(), |router, r| {
        let access = r.access;
        let handler = match access {
            Access::Public => r.handler,
            _ => r
                .handler
                .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                    guard(access, req, next)
                })),
        };
        router.route(r.path, handler)
    })
}

async fn guard(access: Access, mut req: Request, next: Next) -> Response {
    // Owned copies: the body is not `Sync`, so `&Request` cannot be held across an await.
    let state = req.extensions().get::<AppState>().cloned();
    let authorization = req.headers().get(header::AUTHORIZATION).cloned();
    match authorise(access, state, authorization).await {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

async fn authorise(
    access: Access,
    state: Option<AppState>,
    authorization: Option<HeaderValue>,
) -> Result<Principal, ApiError> {
    let state = state.ok_or_else(|| {
        tracing::error!("route guard without application state");
        ApiError::new(ErrorCode::InternalServerError, "Route misconfigured")
    })?;
    let bearer = authorization
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Valid authorization token required"))?;
    let principal = Authenticate { bearer }.execute(&state.ports).await?;
    if let Access::Permission(p) = access {
        principal.require(p)?;
    }
    Ok(principal)
}
