//! The HTTP runners: an endpoint group behind API Gateway, and the live stream behind a
//! response-streaming function URL.

use axum::{Router, extract::Request};
use dashtam_presentation::{Group, extract::ClientIp};
use lambda_http::request::RequestContext;

use super::BoxError;
use crate::{Config, api_ports, init_logging};

/// Runs one endpoint group as a Lambda function behind API Gateway (HTTP API, v2).
/// Everything is built once, before the first invocation.
pub async fn run_http(group: Group) -> Result<(), BoxError> {
    lambda_http::run(router(group).await?).await
}

/// Runs the live event stream as a response-streaming Lambda function (behind a function
/// URL with `InvokeMode: RESPONSE_STREAM`; its requests have the API Gateway v2 shape).
pub async fn run_http_streaming(group: Group) -> Result<(), BoxError> {
    lambda_http::run_with_streaming_response(router(group).await?).await
}

/// The group's router over the HTTP functions' ports, behind [`client_ip_layer`].
async fn router(group: Group) -> Result<Router, BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let state = crate::app_state(api_ports(&config).await, &config);
    Ok(client_ip_layer(dashtam_presentation::app(state, &[group])))
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
