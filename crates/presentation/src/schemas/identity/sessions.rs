use chrono::{DateTime, Utc};
use dashtam_application::dto::{SessionList, SessionView};
use dashtam_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schemas::validate::{self, Validate};

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub id: Uuid,
    pub device_info: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub is_current: bool,
    pub is_revoked: bool,
}

impl From<SessionView> for SessionResponse {
    fn from(s: SessionView) -> Self {
        Self {
            id: s.id,
            device_info: s.device_info,
            ip_address: s.ip_address,
            location: s.location,
            created_at: s.created_at,
            last_activity_at: s.last_activity_at,
            expires_at: s.expires_at,
            is_current: s.is_current,
            is_revoked: s.is_revoked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionListResponse {
    pub sessions: Vec<SessionResponse>,
    pub total_count: usize,
    pub active_count: usize,
}

impl From<SessionList> for SessionListResponse {
    fn from(l: SessionList) -> Self {
        Self {
            sessions: l.sessions.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
            active_count: l.active_count,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSessionsQuery {
    /// Only sessions that are neither revoked nor expired (default true).
    pub active_only: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub reason: Option<String>,
}

impl Validate for RevokeRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if let Some(r) = &self.reason {
            validate::length(&mut e, "reason", r, 1, 255);
        }
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokeAllResponse {
    pub revoked_count: u32,
    pub message: String,
}
