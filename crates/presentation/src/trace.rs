use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use dashtam_core::ErrorCode;
use tracing::Instrument;

use crate::{
    AppState,
    problem::{ApiError, problem_response},
};

static TRACE_HEADER: HeaderName = HeaderName::from_static("x-trace-id");

/// The request's trace id: the client's `X-Trace-Id` if sane, else a new UUIDv7.
#[derive(Debug, Clone)]
pub struct TraceId(pub String);

fn trace_id_of(req: &Request) -> String {
    req.headers()
        .get(&TRACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| dashtam_core::new_id().to_string(), str::to_owned)
}

/// Outermost layer: trace id in, trace id out, one log line per request, and every
/// [`ApiError`] rendered as problem+json with the path and trace id filled in.
pub async fn trace(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let trace_id = trace_id_of(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    req.extensions_mut().insert(TraceId(trace_id.clone()));

    let span = tracing::info_span!("request", trace_id = %trace_id);
    let mut response = async move {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_owned());
        // A panic in a handler must still end as a problem response, not a dropped connection.
        let response = match futures_catch(next.run(req)).await {
            Some(r) => r,
            None => ApiError::new(
                ErrorCode::InternalServerError,
                "An unexpected error occurred.",
            )
            .into_response(),
        };
        let response = render_problem(response, &state, &path, &trace_id);
        tracing::info!(
            method = %method,
            path = %path,
            route = route.as_deref().unwrap_or("-"),
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
        response
    }
    .instrument(span)
    .await;

    if let Ok(v) = HeaderValue::from_str(&trace_id_header(&response)) {
        response.headers_mut().insert(TRACE_HEADER.clone(), v);
    }
    response
}

fn trace_id_header(response: &Response) -> String {
    response
        .extensions()
        .get::<TraceId>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

fn render_problem(response: Response, state: &AppState, path: &str, trace_id: &str) -> Response {
    let mut response = match response.extensions().get::<ApiError>().cloned() {
        Some(error) => {
            let problem = error.to_problem(&state.http.api_base_url, path, Some(trace_id));
            let status = response.status();
            let mut rendered = problem_response(status, &problem);
            // Keep headers the handler set (WWW-Authenticate, Retry-After, ...).
            for (name, value) in response.headers() {
                if name != axum::http::header::CONTENT_TYPE
                    && name != axum::http::header::CONTENT_LENGTH
                {
                    rendered.headers_mut().insert(name.clone(), value.clone());
                }
            }
            rendered
        }
        None if response.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let problem = ApiError::new(ErrorCode::PayloadTooLarge, "Request body is too large")
                .to_problem(&state.http.api_base_url, path, Some(trace_id));
            problem_response(StatusCode::PAYLOAD_TOO_LARGE, &problem)
        }
        None => response,
    };
    response
        .extensions_mut()
        .insert(TraceId(trace_id.to_owned()));
    response
}

/// Runs the inner service, turning a panic into `None`.
async fn futures_catch<F: std::future::Future<Output = Response>>(fut: F) -> Option<Response> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(fut).catch_unwind().await.ok()
}
