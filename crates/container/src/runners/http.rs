//! The HTTP runners: an endpoint group behind API Gateway, and the live stream behind a
//! response-streaming function URL.

use axum::{Router, extract::Request};
use dashtam_presentation::{Group, extract::ClientIp};
use lambda_http::request::RequestContext;

use super::BoxError;
use crate::{Config, api_ports, init_logging, portfolio_api_ports, provider_api_ports};

// Each entry point names the ports it builds, so a function links only the adapters it
// uses (the identity functions carry no provider client, the reads no cipher).

/// Runs one endpoint group as a Lambda function behind API Gateway (HTTP API, v2).
/// Everything is built once, before the first invocation.
pub async fn run_http(group: Group) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run(router(group, api_ports(&config).await, &config)).await
}

/// Runs a group that reads accounts, transactions, holdings and balances.
pub async fn run_portfolio_http(group: Group) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run(router(group, portfolio_api_ports(&config).await, &config)).await
}

/// Runs a group that reaches the providers (connections, syncs): it also reads the
/// provider secrets, once, before the first invocation.
pub async fn run_provider_http(group: Group) -> Result<(), BoxError> {
    let config = start()?;
    let ports = provider_api_ports(&config).await?;
    lambda_http::run(router(group, ports, &config)).await
}

/// Runs the live event stream as a response-streaming Lambda function (behind a function
/// URL with `InvokeMode: RESPONSE_STREAM`; its requests have the API Gateway v2 shape).
pub async fn run_http_streaming(group: Group) -> Result<(), BoxError> {
    let config = start()?;
    lambda_http::run_with_streaming_response(router(group, api_ports(&config).await, &config)).await
}

fn start() -> Result<Config, BoxError> {
    init_logging();
    Ok(Config::from_env()?)
}

/// The group's router over `ports`, behind [`client_ip_layer`].
fn router(group: Group, ports: dashtam_application::Ports, config: &Config) -> Router {
    let state = crate::app_state(ports, config);
    client_ip_layer(dashtam_presentation::app(state, &[group]))
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
