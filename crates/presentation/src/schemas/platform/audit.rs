use chrono::{DateTime, Duration, Utc};
use dashtam_application::platform::queries::{AuditRecordPage, MAX_LOOKBACK_DAYS};
use dashtam_domain::{
    FieldError,
    platform::{entities::AuditRecord, events::lookup},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest cursor accepted (ours are about 150 characters).
const MAX_CURSOR_LEN: usize = 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQueryParams {
    /// Only records of this user (the actor of the event).
    pub user_id: Option<Uuid>,
    /// Only records of this event name, e.g. `UserLoginFailed`.
    #[param(value_type = Option<crate::schemas::names::EventName>)]
    pub action: Option<String>,
    /// RFC 3339; oldest record included. Default 30 days ago; at most 366 days ago.
    pub since: Option<DateTime<Utc>>,
    /// 1–100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page of the same query (400 when altered or sent
    /// with other filters).
    #[param(min_length = 1, max_length = 1024)]
    pub cursor: Option<String>,
}

impl AuditQueryParams {
    pub const DEFAULT_LIMIT: u32 = 50;

    /// Shape checks (422); `now` bounds `since`.
    pub fn errors(&self, now: DateTime<Utc>) -> Vec<FieldError> {
        let mut e = Vec::new();
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            e.push(FieldError::new(
                "limit",
                "range",
                "must be between 1 and 100",
            ));
        }
        if let Some(since) = self.since
            && (since > now || since < now - Duration::days(MAX_LOOKBACK_DAYS))
        {
            e.push(FieldError::new(
                "since",
                "range",
                format!("must lie within the last {MAX_LOOKBACK_DAYS} days"),
            ));
        }
        if let Some(action) = &self.action
            && lookup(action).is_none()
        {
            e.push(FieldError::new(
                "action",
                "unknown_event",
                "must be an event name, e.g. UserLoginFailed",
            ));
        }
        if self
            .cursor
            .as_ref()
            .is_some_and(|c| c.is_empty() || c.len() > MAX_CURSOR_LEN)
        {
            e.push(FieldError::new(
                "cursor",
                "invalid_cursor",
                "malformed cursor",
            ));
        }
        e
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    #[schema(example = "UserLoginFailed")]
    pub action: String,
    pub user_id: Option<Uuid>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<AuditRecord> for AuditRecordResponse {
    fn from(r: AuditRecord) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            action: r.action,
            user_id: r.user_id,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            context: r.context,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditListResponse {
    /// Newest first.
    pub records: Vec<AuditRecordResponse>,
    /// Pass as `cursor` with the same filters for the next page; null at the end. A page
    /// may be shorter than `limit` (even empty) while this is set.
    pub next_cursor: Option<String>,
}

impl From<AuditRecordPage> for AuditListResponse {
    fn from(p: AuditRecordPage) -> Self {
        Self {
            records: p.records.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}
