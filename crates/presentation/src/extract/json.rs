use axum::{
    extract::{FromRequest, Request},
    http::header,
};
use bytes::Bytes;
use dashtam_core::ErrorCode;
use dashtam_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON body. A body with a non-JSON content type is refused (415); one with no content
/// type at all is read as JSON. Shape errors name the offending field (422).
pub struct ApiJson<T>(pub T);

/// Like [`ApiJson`], but an empty body means `T::default()` (for optional bodies on DELETE).
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::invalid(vec![FieldError::new(
                "body",
                "missing",
                "a JSON body is required",
            )]));
        }
        parse(&bytes).map(Self)
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        parse(&bytes).map(Self)
    }
}

async fn read_json_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        let is_json = ct
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Request body must be JSON (Content-Type: application/json)",
            ));
        }
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::PayloadTooLarge, "Request body is too large")
        } else {
            ApiError::new(
                ErrorCode::ValidationFailed,
                "Request body could not be read",
            )
        }
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde's derived structs also accept a JSON array of the field values in order;
    // every body of this API is an object, so anything else is a shape error.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid(vec![FieldError::new(
            "body",
            "json_invalid",
            "the body must be a JSON object",
        )]));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." { "body".to_owned() } else { path };
        let code = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "json_invalid"
            }
            _ => "invalid",
        };
        // serde's messages name fields and types, never values: safe to echo.
        ApiError::invalid(vec![FieldError::new(
            &field,
            code,
            strip_position(&inner.to_string()),
        )])
    })
}

/// "missing field `email` at line 1 column 2" → "missing field `email`".
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
