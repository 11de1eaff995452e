//! The Alpaca sandbox (`/v2/...`): key check, rate-limit headers and profile faults in one
//! middleware, then the seeded account, positions and activities.

mod activities;
mod activity_query;
mod api;
mod data;

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Request, State as Extract},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

use crate::{
    Profile,
    state::{Kind, State},
};

/// Alpaca's published Trading API budget: 200 calls a minute per account.
const LIMIT_PER_MINUTE: u32 = 200;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v2/account", get(api::account))
        .route("/v2/positions", get(api::positions))
        .route("/v2/account/activities", get(api::activities))
        .route(
            "/v2/account/activities/{activity_type}",
            get(api::activities_of_type),
        )
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

/// An Alpaca error: `{"code", "message"}` with `application/json; charset=UTF-8`.
pub(crate) fn error(status: StatusCode, code: u64, message: &str) -> Response {
    let mut r = (status, Json(json!({"code": code, "message": message}))).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn gate(Extract(state): Extract<Arc<State>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    state.count(if path.ends_with("/v2/positions") {
        Kind::AlpacaPositions
    } else if path.contains("/v2/account/activities") {
        Kind::AlpacaActivities
    } else {
        Kind::AlpacaAccount
    });
    let (key, secret) = (
        header(req.headers(), "apca-api-key-id").unwrap_or(""),
        header(req.headers(), "apca-api-secret-key").unwrap_or(""),
    );
    let profile = state
        .config
        .alpaca_keys
        .iter()
        .find(|(k, s, _)| k == key && s == secret)
        .map(|(_, _, p)| *p);
    let now = state.now();
    let minute = now.timestamp().div_euclid(60);
    let used = state.tick_window(key, minute);
    let reset = chrono::DateTime::from_timestamp((minute + 1) * 60, 0).unwrap_or(now);
    let over = used > LIMIT_PER_MINUTE || profile == Some(Profile::RateLimited);
    let mut response = match profile {
        None => error(
            StatusCode::UNAUTHORIZED,
            40110000,
            "request is not authorized",
        ),
        Some(_) if over => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, 42910000, "too many requests");
            let date = reset.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            if let Ok(v) = HeaderValue::from_str(&date) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Some(Profile::Unavailable) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            50010000,
            "internal server error occurred",
        ),
        Some(profile) => {
            if profile == Profile::Slow {
                tokio::time::sleep(state.config.slow_delay).await;
            }
            req.extensions_mut().insert(profile);
            next.run(req).await
        }
    };
    let remaining = if over {
        0
    } else {
        LIMIT_PER_MINUTE.saturating_sub(used)
    };
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(LIMIT_PER_MINUTE));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset.timestamp()));
    h.insert(
        "x-request-id",
        HeaderValue::from_str(&crate::hash::random_uuid().simple().to_string())
            .unwrap_or(HeaderValue::from_static("sandbox")),
    );
    response
}
