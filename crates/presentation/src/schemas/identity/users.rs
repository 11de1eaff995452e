use chrono::{DateTime, Utc};
use dashtam_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schemas::validate::{self, Validate, WithEmail};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Trimmed and lower-cased before use.
    #[schema(example = "ada@example.com", format = Email, max_length = 255)]
    pub email: String,
    /// 8–128 characters; with upper case, lower case, a digit and a special character,
    /// or the answer is 400 `command_validation_failed` naming `password`.
    #[schema(example = "Str0ng!Passw0rd", min_length = 8, max_length = 128)]
    pub password: String,
}

impl WithEmail for RegisterRequest {
    fn raw_email(&self) -> &str {
        &self.email
    }
}

impl Validate for RegisterRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        // Length is shape (422); the character rules are policy (400, in the use case).
        validate::length(&mut e, "password", &self.password, 8, 128);
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    pub id: Uuid,
    pub email: String,
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com", format = Email, max_length = 255)]
    pub email: String,
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
}

impl WithEmail for LoginRequest {
    fn raw_email(&self) -> &str {
        &self.email
    }
}

impl Validate for LoginRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::length(&mut e, "password", &self.password, 1, 128);
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: i64,
}

impl From<dashtam_application::dto::TokenPair> for TokenResponse {
    fn from(p: dashtam_application::dto::TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            refresh_token: p.refresh_token,
            token_type: "bearer",
            expires_in: p.expires_in,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

impl Validate for RefreshRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::length(&mut e, "refresh_token", &self.refresh_token, 1, 512);
        e
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The 64-hex token from the email.
    #[schema(pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)]
    pub token: String,
}

impl Validate for TokenRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::hex64(&mut e, "token", &self.token);
        e
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(example = "ada@example.com", format = Email, max_length = 255)]
    pub email: String,
}

impl WithEmail for EmailRequest {
    fn raw_email(&self) -> &str {
        &self.email
    }
}

/// Nothing beyond the email (checked by [`WithEmail::parsed`]).
impl Validate for EmailRequest {
    fn errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The 64-hex token from the email.
    #[schema(pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)]
    pub token: String,
    /// Same rules as at registration (400 `command_validation_failed` when too weak).
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

impl Validate for PasswordResetRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::hex64(&mut e, "token", &self.token);
        validate::length(&mut e, "new_password", &self.new_password, 8, 128);
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

impl MessageResponse {
    pub fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserProfileResponse {
    pub id: Uuid,
    pub email: String,
    pub is_verified: bool,
    #[schema(example = json!(["user"]))]
    pub roles: Vec<String>,
    #[schema(example = "basic")]
    pub session_tier: String,
    pub created_at: DateTime<Utc>,
}
