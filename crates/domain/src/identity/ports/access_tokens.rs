use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The claims of an access token (HS256 JWT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub email: String,
    pub roles: Vec<String>,
    pub session_id: Uuid,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessTokenError {
    /// Forged, malformed, expired, wrong issuer or audience: the client's problem.
    #[error("invalid token")]
    Invalid,
    /// The signing key could not be loaded (missing or unusable): our problem.
    #[error("signing key unavailable: {0}")]
    KeyUnavailable(String),
    /// The service holding the signing key failed to answer.
    #[error("signing key store failed: {0}")]
    Upstream(String),
}

#[async_trait]
pub trait AccessTokenService: Send + Sync {
    /// Lifetime of issued tokens, in seconds (`expires_in`).
    fn ttl_seconds(&self) -> i64;

    /// Fills `jti`, `iat`, `exp`, `iss`, `aud` and signs.
    async fn issue(
        &self,
        user_id: Uuid,
        email: &str,
        roles: Vec<String>,
        session_id: Uuid,
    ) -> Result<String, AccessTokenError>;

    async fn verify(&self, token: &str) -> Result<AccessClaims, AccessTokenError>;
}
