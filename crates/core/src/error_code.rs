/// The error vocabulary shared by every layer; the presentation layer decides each code's
/// HTTP status.
///
/// Slugs and titles follow the API contract (`API.md`, "Errors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Request shape is wrong (missing field, wrong type, bad UUID).
    ValidationFailed,
    /// Domain rule rejected the input (password policy, date range).
    CommandValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    UnsupportedMediaType,
    PayloadTooLarge,
    RateLimitExceeded,
    ExternalServiceError,
    ServiceUnavailable,
    InternalServerError,
}

impl ErrorCode {
    /// The last segment of the problem `type` URL.
    pub fn slug(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation-failed",
            Self::CommandValidationFailed => "command_validation_failed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::RateLimitExceeded => "rate_limit_exceeded",
            Self::ExternalServiceError => "external_service_error",
            Self::ServiceUnavailable => "service-unavailable",
            Self::InternalServerError => "internal-server-error",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::ValidationFailed | Self::CommandValidationFailed => "Validation Failed",
            Self::Unauthorized => "Authentication Required",
            Self::Forbidden => "Access Denied",
            Self::NotFound => "Resource Not Found",
            Self::MethodNotAllowed => "Method Not Allowed",
            Self::Conflict => "Resource Conflict",
            Self::PayloadTooLarge => "Payload Too Large",
            Self::UnsupportedMediaType => "Unsupported Media Type",
            Self::RateLimitExceeded => "Rate Limit Exceeded",
            Self::ExternalServiceError => "External Service Error",
            Self::ServiceUnavailable => "Service Unavailable",
            Self::InternalServerError => "Internal Server Error",
        }
    }
}
