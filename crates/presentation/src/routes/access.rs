//! The route table: every route names the access it needs, and the routers are built from
//! the table, so a route cannot exist without a declaration. The guard authenticates and
//! authorises before the handler runs; handlers receive the [`Principal`] it established.

use axum::{
    Router,
    extract::Request,
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::MethodRouter,
};
use dashtam_application::{
    commands::{Authenticate, AuthenticateVerified},
    dto::Principal,
};
use dashtam_core::ErrorCode;
use dashtam_domain::entities::Permission;

use crate::{ApiError, AppState, extract::bearer_token, rate_limit::VerifiedBearer};

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
    let verified = req.extensions_mut().remove::<VerifiedBearer>();
    let bearer = bearer_token(req.headers()).map(str::to_owned);
    match authorise(access, state, verified, bearer).await {
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
    verified: Option<VerifiedBearer>,
    bearer: Option<String>,
) -> Result<Principal, ApiError> {
    let state = state.ok_or_else(|| {
        tracing::error!("route guard without application state");
        ApiError::new(ErrorCode::InternalServerError, "Route misconfigured")
    })?;
    let principal = match (verified, bearer) {
        (Some(VerifiedBearer(claims)), _) => {
            AuthenticateVerified { claims }
                .execute(&state.ports)
                .await?
        }
        (None, Some(bearer)) => {
            Authenticate { bearer: &bearer }
                .execute(&state.ports)
                .await?
        }
        (None, None) => {
            return Err(ApiError::unauthorized("Valid authorization token required"));
        }
    };
    if let Access::Permission(p) = access {
        principal.require(p)?;
    }
    Ok(principal)
}
