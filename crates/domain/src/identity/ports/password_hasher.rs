use async_trait::async_trait;

use crate::identity::value_objects::Password;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// argon2id in production. Async because hashing is CPU-heavy and runs off the reactor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<String, HashError>;

    /// False for a wrong password or a malformed hash.
    async fn verify(&self, plaintext: &str, hash: &str) -> bool;

    /// Spends the time of one verification against nothing, so an unknown email takes as
    /// long as a wrong password.
    async fn verify_dummy(&self, plaintext: &str);
}
