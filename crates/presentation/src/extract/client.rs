use std::convert::Infallible;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use dashtam_domain::platform::events::EventContext;

use crate::TraceId;

/// The client's IP as the platform saw it (API Gateway's `sourceIp`, or the socket peer
/// locally). Inserted by the runtime adapter; headers are not trusted for it.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// Who is calling, for events and sessions: IP, User-Agent, trace id.
pub struct ClientContext(pub EventContext);

impl<S: Send + Sync> FromRequestParts<S> for ClientContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect());
        Ok(Self(EventContext {
            ip_address: parts.extensions.get::<ClientIp>().map(|ip| ip.0.clone()),
            user_agent,
            trace_id: parts.extensions.get::<TraceId>().map(|t| t.0.clone()),
        }))
    }
}
