//! The HTTP runners: an endpoint group behind API Gateway, and the live stream behind a
//! response-streaming function URL.

use axum::{
    Router,
    extract::{MatchedPath, Request},
    http::{Method, StatusCode},
    middleware::Next,
    response::Response,
};
use dashtam_presentation::{Route, extract::ClientIp};
use lambda_http::request::RequestContext;

use super::BoxError;
use crate::{
    Config, api_ports, init_logging,
    metrics::{self, Unit, names},
    portfolio_api_ports, provider_api_ports,
};

// Each entry point names the ports it builds, so a function links only the adapters it
// uses (the identity functions carry no provider client, the reads no cipher).

/// Runs one endpoint group as a Lambda function behind API Gateway (HTTP API, v2).
/// Everything is built once, before the first invocation.
pub async fn run_http(group: fn() -> Vec<Route>) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run(router(group, api_ports(&config).await, &config)).await
}

/// Runs a group that reads accounts, transactions, holdings and balances.
pub async fn run_portfolio_http(group: fn() -> Vec<Route>) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run(router(group, portfolio_api_ports(&config).await, &config)).await
}

/// Runs a group that reaches the providers (connections, syncs): it also reads the
/// provider secrets, once, before the first invocation.
pub async fn run_provider_http(group: fn() -> Vec<Route>) -> Result<(), BoxError> {
    let config = start()?;
    let ports = provider_api_ports(&config).await?;
    lambda_http::run(router(group, ports, &config)).await
}

/// Runs the live event stream as a response-streaming Lambda function (behind a function
/// URL with `InvokeMode: RESPONSE_STREAM`; its requests have the API Gateway v2 shape).
pub async fn run_http_streaming(group: fn() -> Vec<Route>) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run_with_streaming_response(router(group, api_ports(&config).await, &config)).await
}

/// Serves `group` over `ports` as a Lambda function behind API Gateway.
pub(super) async fn serve(
    group: fn() -> Vec<Route>,
    ports: dashtam_application::Ports,
    config: &Config,
) -> Result<(), BoxError> {
    lambda_http::run(router(group, ports, config)).await
}

fn start() -> Result<Config, BoxError> {
    init_logging();
    Ok(Config::from_env()?)
}

/// The group's router over `ports`, behind [`client_ip_layer`]. The group is its routes'
/// function (`dashtam_presentation::routes::groups::…`), named in the function's `main`,
/// so no other group's handlers are linked in.
fn router(group: fn() -> Vec<Route>, ports: dashtam_application::Ports, config: &Config) -> Router {
    let state = crate::app_state(ports, config);
    let app = dashtam_presentation::app_of(state, group());
    client_ip_layer(app.layer(axum::middleware::from_fn(business_metrics)))
}

/// The business outcomes counted as metrics: route (method, template) and answer.
pub const LOGIN: (Method, &str) = (Method::POST, "/api/v1/sessions");
pub const REGISTRATION: (Method, &str) = (Method::POST, "/api/v1/users");

/// The metric a response of a route counts toward, if any.
pub fn business_metric(method: &Method, route: &str, status: StatusCode) -> Option<&'static str> {
    let is = |(m, path): &(Method, &str)| m == method && *path == route;
    match status.as_u16() {
        201 if is(&LOGIN) => Some(names::LOGINS),
        // Wrong password or unknown email (401); unverified, locked or inactive (403).
        401 | 403 if is(&LOGIN) => Some(names::LOGINS_FAILED),
        201 if is(&REGISTRATION) => Some(names::REGISTRATIONS),
        _ => None,
    }
}

/// Counts logins, failed logins and registrations as EMF lines (no API call).
async fn business_metrics(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    if let Some(route) = route
        && let Some(name) = business_metric(&method, route.as_str(), response.status())
    {
        metrics::emit(&[(name, 1.0, Unit::Count)]);
    }
    response
}

/// Takes the client IP from API Gateway's request context (never from headers).
pub fn client_ip_layer(router: Router) -> Router {
    router.layer(axum::middleware::map_request(
        |mut req: Request| async move {
            let ip = match req.extensions().get::<RequestContext>() {
                Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
                _ => None,
            };
            if let Some(ip) = ip {
                req.extensions_mut().insert(ClientIp(ip));
            }
            req
        },
    ))
}

#[cfg(test)]
mod tests {
    use dashtam_presentation::Group;

    use super::*;

    #[test]
    fn the_counted_routes_exist() {
        for (method, path) in [LOGIN, REGISTRATION] {
            assert!(
                Group::ALL
                    .into_iter()
                    .flat_map(Group::routes)
                    .any(|r| r.method == method && r.path == path),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn logins_failed_logins_and_registrations_are_counted() {
        let login =
            |s: u16| business_metric(&Method::POST, LOGIN.1, StatusCode::from_u16(s).unwrap());
        assert_eq!(login(201), Some(names::LOGINS));
        assert_eq!(login(401), Some(names::LOGINS_FAILED));
        assert_eq!(login(403), Some(names::LOGINS_FAILED));
        assert_eq!(login(429), None);
        let register = business_metric(&Method::POST, REGISTRATION.1, StatusCode::CREATED);
        assert_eq!(register, Some(names::REGISTRATIONS));
        assert_eq!(
            business_metric(&Method::GET, "/api/v1/users/me", StatusCode::OK),
            None
        );
    }
}
