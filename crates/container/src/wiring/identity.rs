//! The identity context's ports: users, one-time tokens, sessions, the security
//! configuration, and the access tokens they issue.

use std::sync::Arc;

use dashtam_domain::identity::ports::{
    AccessTokenService, OneTimeTokenRepository, SecurityConfigRepository, SessionRepository,
    UserRepository,
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoOneTimeTokenRepository, DynamoSecurityConfigRepository, DynamoSessionRepository,
        DynamoUserRepository, Table,
    },
    memory::MemoryStore,
};

/// How long an access token lives (15 minutes).
pub(super) const ACCESS_TOKEN_TTL_SECONDS: i64 = 900;

pub(super) struct Identity {
    pub users: Arc<dyn UserRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub security_config: Arc<dyn SecurityConfigRepository>,
    pub access_tokens: Arc<dyn AccessTokenService>,
}

impl Identity {
    /// Over the DynamoDB table.
    pub(super) fn over_table(table: &Table, access_tokens: Arc<dyn AccessTokenService>) -> Self {
        Self {
            users: Arc::new(DynamoUserRepository::from_table(table.clone())),
            one_time_tokens: Arc::new(DynamoOneTimeTokenRepository::from_table(table.clone())),
            sessions: Arc::new(DynamoSessionRepository::from_table(table.clone())),
            security_config: Arc::new(DynamoSecurityConfigRepository::from_table(table.clone())),
            access_tokens,
        }
    }

    /// Over the in-memory store.
    pub(super) fn in_memory(
        store: &Arc<MemoryStore>,
        access_tokens: Arc<dyn AccessTokenService>,
    ) -> Self {
        Self {
            users: store.clone(),
            one_time_tokens: store.clone(),
            sessions: store.clone(),
            security_config: store.clone(),
            access_tokens,
        }
    }
}
