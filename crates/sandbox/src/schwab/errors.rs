//! Schwab's error bodies: OAuth errors, the Trader API's `errors[]` (401/429/500) and its
//! `ServiceError` (400).

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::hash;

pub(crate) fn oauth(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let body = match description {
        Some(d) => json!({"error": error, "error_description": d}),
        None => json!({"error": error}),
    };
    (status, Json(body)).into_response()
}

/// What Schwab answers for a lapsed or unknown refresh token (providers.md 1.1).
pub(crate) fn refresh_refused(token: &str) -> Response {
    let digest = crate::hash::hex64(hash::text(token));
    // Schwab's key order (error_description first), which a json! map would sort.
    let inner = format!(
        "{{\"error_description\":\"Exception while authenticating refresh token \
         [tokenDigest={digest}]\",\"error\":\"refresh_token_authentication_error\"}}"
    );
    let description = format!("400 Bad Request: {}", Value::String(inner));
    oauth(
        StatusCode::BAD_REQUEST,
        "unsupported_token_type",
        Some(&description),
    )
}

fn errors_body(status: StatusCode, title: &str, detail: &str) -> Value {
    json!({"errors": [{
        "id": hash::random_uuid().to_string(),
        "status": status.as_u16(),
        "title": title,
        "detail": detail,
    }]})
}

/// 401 for a missing, unknown or expired access token.
pub(crate) fn unauthorized() -> Response {
    let status = StatusCode::UNAUTHORIZED;
    (
        status,
        Json(errors_body(status, "Unauthorized", "Client not authorized")),
    )
        .into_response()
}

/// 429 with `Retry-After: 1` (seconds).
pub(crate) fn rate_limited() -> Response {
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut r = (
        status,
        Json(errors_body(
            status,
            "Too Many Requests",
            "Rate limit exceeded, retry later",
        )),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// 500, as Schwab answers when its back end fails.
pub(crate) fn unavailable() -> Response {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    (
        status,
        Json(errors_body(
            status,
            "Internal Server Error",
            "We are unable to complete your request. Please try again later.",
        )),
    )
        .into_response()
}

/// 400 `ServiceError` `{"message", "errors": [...]}`.
pub(crate) fn service(message: &str, error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"message": message, "errors": [error]})),
    )
        .into_response()
}
