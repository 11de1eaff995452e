use std::path::PathBuf;

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use dashtam_infrastructure::email::read_mailbox;
use serde::Deserialize;

#[derive(Deserialize)]
struct MailboxQuery {
    to: String,
}

/// `GET /_local/mailbox?to=<email>`: that address's emails, newest first. Local stack only.
pub fn router(dir: PathBuf) -> Router {
    Router::new()
        .route("/_local/mailbox", get(list))
        .with_state(dir)
}

async fn list(State(dir): State<PathBuf>, Query(q): Query<MailboxQuery>) -> Response {
    match read_mailbox(&dir, &q.to).await {
        Ok(messages) => Json(messages).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "detail": e })),
        )
            .into_response(),
    }
}
