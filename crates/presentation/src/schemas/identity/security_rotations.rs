use chrono::{DateTime, Utc};
use dashtam_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schemas::validate::{self, Validate};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRequest {
    /// 1–500 characters, not only spaces, tabs and line breaks (which are trimmed).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "[^ \t\n\r]",
        example = "Suspected key leak"
    )]
    pub reason: String,
}

impl RotationRequest {
    /// The reason without surrounding spaces, tabs and line breaks.
    pub fn reason(&self) -> String {
        self.reason.trim_matches(validate::BLANK).to_owned()
    }
}

impl Validate for RotationRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::length(&mut e, "reason", &self.reason, 1, 500);
        if e.is_empty() {
            validate::not_blank(&mut e, "reason", &self.reason);
        }
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GlobalRotationResponse {
    pub previous_version: u64,
    pub new_version: u64,
    pub grace_period_seconds: u64,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRotationResponse {
    pub user_id: Uuid,
    pub previous_version: u64,
    pub new_version: u64,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityConfigResponse {
    pub global_min_token_version: u64,
    pub grace_period_seconds: u64,
    pub last_rotation_at: Option<DateTime<Utc>>,
    pub last_rotation_reason: Option<String>,
}
