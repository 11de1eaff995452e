use chrono::{DateTime, Utc};
use dashtam_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schemas::validate::{self, Validate};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRequest {
    #[schema(min_length = 1, max_length = 500, example = "Suspected key leak")]
    pub reason: String,
}

impl Validate for RotationRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::length(&mut e, "reason", self.reason.trim(), 1, 500);
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
