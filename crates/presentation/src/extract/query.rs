use axum::{extract::FromRequestParts, http::request::Parts};
use dashtam_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Query parameters; a malformed one is a 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_de(query);
        serde_path_to_error::deserialize(de).map(Self).map_err(|e| {
            let field = e.path().to_string();
            ApiError::invalid(vec![FieldError::new(
                &field,
                "invalid",
                e.into_inner().to_string(),
            )])
        })
    }
}

fn serde_urlencoded_de(query: &str) -> serde_urlencoded::Deserializer<'_> {
    serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()))
}
