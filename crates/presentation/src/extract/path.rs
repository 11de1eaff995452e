use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use dashtam_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Path parameters; a malformed one (e.g. a bad UUID) is a 422, not a 400 or 500.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|e| ApiError::invalid(vec![FieldError::new("path", "invalid", e.body_text())]))
    }
}
