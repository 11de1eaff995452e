//! The stored shape of sessions and refresh tokens.

use chrono::{DateTime, Utc};
use dashtam_domain::identity::{
    entities::{RefreshToken, Session},
    value_objects::TokenHash,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dynamodb::{
    keys::{REFRESH_SK, SESSION_EXPIRY_PREFIX, hour_bucket, refresh_pk, session_sk, user_pk},
    tokens::TOKEN_RETENTION,
    ts::{self, epoch},
};

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct SessionItem {
    pub PK: String,
    pub SK: String,
    /// `SESSIONEXP#<hour it expires>` / `<expires_at>#<id>`, for the session-expiry job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2PK: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub GSI2SK: Option<String>,
    pub entity: String,
    pub id: Uuid,
    pub user_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub last_activity_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    pub current_refresh_hash: TokenHash,
    /// Set once, by the one session-expiry run that sent the notice.
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub expiry_notice_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl SessionItem {
    pub(crate) fn new(s: &Session) -> Self {
        Self {
            PK: user_pk(s.user_id),
            SK: session_sk(s.id),
            GSI2PK: Some(hour_bucket(SESSION_EXPIRY_PREFIX, s.expires_at)),
            GSI2SK: Some(format!("{}#{}", ts::format(s.expires_at), s.id)),
            entity: "session".to_owned(),
            id: s.id,
            user_id: s.user_id,
            device_info: s.device_info.clone(),
            user_agent: s.user_agent.clone(),
            ip_address: s.ip_address.clone(),
            location: s.location.clone(),
            created_at: s.created_at,
            last_activity_at: s.last_activity_at,
            expires_at: s.expires_at,
            revoked_at: s.revoked_at,
            revoked_reason: s.revoked_reason.clone(),
            current_refresh_hash: s.current_refresh_hash.clone(),
            expiry_notice_at: None,
            ttl: epoch(s.expires_at),
        }
    }

    pub(crate) fn into_session(self) -> Session {
        Session {
            id: self.id,
            user_id: self.user_id,
            device_info: self.device_info,
            user_agent: self.user_agent,
            ip_address: self.ip_address,
            location: self.location,
            created_at: self.created_at,
            last_activity_at: self.last_activity_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            revoked_reason: self.revoked_reason,
            current_refresh_hash: self.current_refresh_hash,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct RefreshTokenItem {
    pub PK: String,
    pub SK: String,
    pub entity: String,
    pub hash: TokenHash,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub token_version: u64,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "ts::opt", skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<DateTime<Utc>>,
    pub ttl: i64,
}

impl RefreshTokenItem {
    pub(crate) fn new(t: &RefreshToken) -> Self {
        Self {
            PK: refresh_pk(&t.hash),
            SK: REFRESH_SK.to_owned(),
            entity: "refresh_token".to_owned(),
            hash: t.hash.clone(),
            user_id: t.user_id,
            session_id: t.session_id,
            token_version: t.token_version,
            created_at: t.created_at,
            expires_at: t.expires_at,
            rotated_at: t.rotated_at,
            ttl: epoch(t.expires_at + TOKEN_RETENTION),
        }
    }

    pub(crate) fn into_token(self) -> RefreshToken {
        RefreshToken {
            hash: self.hash,
            user_id: self.user_id,
            session_id: self.session_id,
            token_version: self.token_version,
            created_at: self.created_at,
            expires_at: self.expires_at,
            rotated_at: self.rotated_at,
        }
    }
}
