//! The Runtime API's HTTP side (the `2018-06-01` interface): `/next` hands out the one
//! event, then parks; responses and errors are reported to the run loop as [`Seen`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// Largest request body accepted (Lambda's synchronous payload limit is 6 MB).
const MAX_BODY: usize = 6 * 1024 * 1024;

/// What the emulator saw; sent from the HTTP handlers to the run loop.
#[derive(Debug)]
pub enum Seen {
    Next { at: Instant, nth: usize },
    Response { at: Instant, body: Bytes },
    InvocationError { body: Bytes },
    InitError { body: Bytes },
    Unexpected { method: Method, uri: Uri },
}

pub struct Shared {
    pub tx: mpsc::UnboundedSender<Seen>,
    pub shutdown: watch::Receiver<bool>,
    pub event: Bytes,
    pub request_id: String,
    pub function_arn: String,
    pub deadline_budget: Duration,
    pub nexts: AtomicUsize,
}

pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(invocation_error),
        )
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .fallback(unexpected)
        .with_state(shared);
    let _ = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await;
}

async fn next(State(s): State<Arc<Shared>>) -> Response {
    let at = Instant::now();
    let nth = s.nexts.fetch_add(1, Ordering::SeqCst);
    let _ = s.tx.send(Seen::Next { at, nth });
    if nth > 0 {
        // One invocation per cold start: park the function until the run ends.
        let mut stop = s.shutdown.clone();
        let _ = stop.wait_for(|stop| *stop).await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let deadline_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(s.deadline_budget)
        .as_millis();
    let mut response = Response::new(Body::from(s.event.clone()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let pairs = [
        ("lambda-runtime-aws-request-id", s.request_id.clone()),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            s.function_arn.clone(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0".to_owned(),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

async fn read_body(body: Body) -> Bytes {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default()
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"OK"}"#,
    )
        .into_response()
}

async fn invocation_response(
    State(s): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    body: Body,
) -> Response {
    let at = Instant::now();
    if id != s.request_id {
        return (StatusCode::BAD_REQUEST, "unknown request id").into_response();
    }
    let body = read_body(body).await;
    let _ = s.tx.send(Seen::Response { at, body });
    accepted()
}

async fn invocation_error(State(s): State<Arc<Shared>>, body: Body) -> Response {
    let body = read_body(body).await;
    let _ = s.tx.send(Seen::InvocationError { body });
    accepted()
}

async fn init_error(State(s): State<Arc<Shared>>, body: Body) -> Response {
    let body = read_body(body).await;
    let _ = s.tx.send(Seen::InitError { body });
    accepted()
}

async fn unexpected(State(s): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let _ = s.tx.send(Seen::Unexpected { method, uri });
    StatusCode::NOT_FOUND.into_response()
}
