//! In-memory mode's uploads bucket: `PUT /_local/uploads/{key}` stands for the presigned
//! S3 PUT, and its arrival runs the upload's import in the background, as the bucket's
//! notification does on AWS.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::StatusCode,
    routing::put,
};
use dashtam_application::{Ports, imports::RunUpload};
use dashtam_infrastructure::memory::MemoryUploads;

#[derive(Clone)]
struct Uploads {
    ports: Arc<Ports>,
    bucket: Arc<MemoryUploads>,
}

/// The largest upload the local bucket takes.
const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;

pub fn router(ports: Arc<Ports>, bucket: Arc<MemoryUploads>) -> Router {
    Router::new()
        .route("/_local/uploads/{*key}", put(upload))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(Uploads { ports, bucket })
}

async fn upload(State(u): State<Uploads>, Path(key): Path<String>, body: Bytes) -> StatusCode {
    u.bucket.put(&key, body.to_vec());
    tokio::spawn(async move {
        let outcome = RunUpload {
            key: key.clone(),
            context: Default::default(),
        }
        .execute(&u.ports)
        .await;
        match outcome {
            Ok(outcome) => tracing::info!(%key, ?outcome, "upload handled"),
            Err(e) => tracing::error!(%key, error = %e, "upload import failed"),
        }
    });
    StatusCode::OK
}
