use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use dashtam_application::AppError;
use dashtam_core::ErrorCode;
use dashtam_domain::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

/// Seconds a client is asked to wait when the store is throttled (503).
pub const STORE_RETRY_AFTER_SECS: u64 = 1;

/// The HTTP status of each error code: decided here, at the HTTP edge, not in `core`.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::CommandValidationFailed => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::ExternalServiceError => StatusCode::BAD_GATEWAY,
        ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// RFC 9457 problem details, as sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_url: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    /// What was wrong with each field (validation problems only; left out when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ProblemFieldError>, required = false)]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Seconds until a rate-limited client may retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// One entry of a problem's `errors` (the wire shape of a [`FieldError`]).
#[derive(ToSchema)]
#[allow(dead_code)] // documentation only: problems serialise `FieldError`s
pub struct ProblemFieldError {
    /// The offending field (`body` for the body as a whole, `path` for the path).
    field: String,
    #[schema(example = "string_length")]
    code: String,
    message: String,
    /// The 1-based line of an uploaded file the error is about (file problems only).
    #[schema(required = false)]
    line: Option<u32>,
}

/// A handler's error. It becomes a [`Problem`] in the trace middleware, which knows the
/// request path, the trace id and the base URL, so handlers only say what went wrong.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds until the client may retry (429, 503); sent as `Retry-After` too.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 429: the caller's bucket is empty for another `retry_after` seconds.
    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                ErrorCode::RateLimitExceeded,
                format!("Too many requests. Please try again in {retry_after} seconds."),
            )
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// 422 for a request whose shape is wrong.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::new(
            ErrorCode::ValidationFailed,
            "Request validation failed. Check 'errors' for details.",
        )
        .with_errors(errors)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    /// The body is written later by the trace middleware.
    pub fn to_problem(&self, base_url: &str, instance: &str, trace_id: Option<&str>) -> Problem {
        Problem {
            type_url: format!(
                "{}/errors/{}",
                base_url.trim_end_matches('/'),
                self.code.slug()
            ),
            title: self.code.title().to_owned(),
            status: status_of(self.code).as_u16(),
            detail: self.detail.clone(),
            instance: instance.to_owned(),
            errors: self.errors.clone(),
            trace_id: trace_id.map(str::to_owned),
            retry_after: self.retry_after,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation { detail, errors } => {
                Self::new(ErrorCode::CommandValidationFailed, detail).with_errors(errors)
            }
            AppError::Unauthorized(d) => Self::new(ErrorCode::Unauthorized, d),
            AppError::Forbidden(d) => Self::new(ErrorCode::Forbidden, d),
            AppError::NotFound(d) => Self::new(ErrorCode::NotFound, d),
            AppError::Conflict(d) => Self::new(ErrorCode::Conflict, d),
            AppError::UnsupportedMediaType(d) => Self::new(ErrorCode::UnsupportedMediaType, d),
            AppError::TooSoon {
                detail,
                retry_after,
            } => Self {
                retry_after: Some(retry_after),
                ..Self::new(ErrorCode::RateLimitExceeded, detail)
            },
            AppError::ProviderBusy { cause, retry_after } => {
                tracing::warn!(%cause, "provider rate-limited us; request refused with 503");
                Self {
                    retry_after: Some(retry_after),
                    ..Self::new(
                        ErrorCode::ServiceUnavailable,
                        "The provider is busy. Please try again later.",
                    )
                }
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(%cause, "store throttled; request refused with 503");
                Self {
                    retry_after: Some(STORE_RETRY_AFTER_SECS),
                    ..Self::new(
                        ErrorCode::ServiceUnavailable,
                        "The service is busy. Please try again shortly.",
                    )
                }
            }
            AppError::Upstream(cause) => {
                tracing::error!(%cause, "upstream service failed");
                Self::new(
                    ErrorCode::ExternalServiceError,
                    "A service this request depends on failed. Please try again later.",
                )
            }
            AppError::Internal(cause) => {
                // The cause goes to the log (with the trace id), never to the client.
                tracing::error!(%cause, "request failed");
                Self::new(
                    ErrorCode::InternalServerError,
                    "An unexpected error occurred. Quote the trace id when reporting it.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = status_of(self.code).into_response();
        if self.code == ErrorCode::Unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Serialises a problem as `application/problem+json`.
pub fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "No route matches this path")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This route does not support the method",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_store_is_503_with_retry_after_and_a_failed_upstream_502() {
        let busy = ApiError::from(AppError::Unavailable("throttled".into()));
        assert_eq!(busy.code, ErrorCode::ServiceUnavailable);
        assert_eq!(busy.retry_after, Some(STORE_RETRY_AFTER_SECS));
        let response = busy.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(STORE_RETRY_AFTER_SECS))
        );

        let upstream = ApiError::from(AppError::Upstream("secrets manager".into()));
        assert_eq!(upstream.code, ErrorCode::ExternalServiceError);
        assert!(!upstream.detail.contains("secrets manager"));
        let response = upstream.into_response();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert!(response.headers().get(header::RETRY_AFTER).is_none());
    }
}
