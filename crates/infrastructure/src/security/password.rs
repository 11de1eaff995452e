//! argon2id password hashing (PHC strings), off the async reactor.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use dashtam_domain::identity::ports::{HashError, PasswordHasher};
use dashtam_domain::identity::value_objects::Password;

use super::opaque::os_random;

/// argon2id, version 0x13. [`Argon2Hasher::new`] uses the argon2 crate's defaults
/// (m = 19456 KiB, t = 2, p = 1: OWASP's minimum), ~20 ms per hash in release.
///
/// Hashing and verification run in `spawn_blocking` so a login never stalls the reactor.
/// Verification reads the parameters from the stored PHC string, so raising the cost later
/// keeps old hashes verifiable.
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon2: Argon2<'static>,
    /// PHC hash of a random password no one knows; computed on the first unknown-email
    /// login, then reused, so `verify_dummy` costs exactly one verification.
    dummy: OnceLock<String>,
}

impl Argon2Hasher {
    pub fn new() -> Self {
        Self::from_argon2(Argon2::default())
    }

    /// Custom cost (memory in KiB, iterations, parallelism); for tests that want speed.
    pub fn with_params(m_cost: u32, t_cost: u32, p_cost: u32) -> Result<Self, HashError> {
        let params =
            Params::new(m_cost, t_cost, p_cost, None).map_err(|e| HashError(e.to_string()))?;
        Ok(Self::from_argon2(Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            params,
        )))
    }

    fn from_argon2(argon2: Argon2<'static>) -> Self {
        Self {
            inner: Arc::new(Inner {
                argon2,
                dummy: OnceLock::new(),
            }),
        }
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher")
            .field("params", self.inner.argon2.params())
            .finish()
    }
}

impl Inner {
    fn hash(&self, plaintext: &str) -> Result<String, HashError> {
        let salt_bytes: [u8; 16] = os_random();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError(e.to_string()))?;
        self.argon2
            .hash_password(plaintext.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    }

    fn verify(&self, plaintext: &str, hash: &str) -> bool {
        match PasswordHash::new(hash) {
            Ok(parsed) => self
                .argon2
                .verify_password(plaintext.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    fn dummy_hash(&self) -> &str {
        self.dummy.get_or_init(|| {
            let password = hex::encode(os_random::<32>());
            // Hashing a random password with our own parameters cannot fail; if it ever
            // did, an unparsable dummy still makes `verify` return false (just faster).
            self.hash(&password).unwrap_or_default()
        })
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let inner = Arc::clone(&self.inner);
        let plaintext = password.expose().to_owned();
        tokio::task::spawn_blocking(move || inner.hash(&plaintext))
            .await
            .map_err(|e| HashError(format!("hashing task failed: {e}")))?
    }

    async fn verify(&self, plaintext: &str, hash: &str) -> bool {
        let inner = Arc::clone(&self.inner);
        let plaintext = plaintext.to_owned();
        let hash = hash.to_owned();
        tokio::task::spawn_blocking(move || inner.verify(&plaintext, &hash))
            .await
            .unwrap_or(false)
    }

    async fn verify_dummy(&self, plaintext: &str) {
        let inner = Arc::clone(&self.inner);
        let plaintext = plaintext.to_owned();
        let _ = tokio::task::spawn_blocking(move || {
            let dummy = inner.dummy_hash().to_owned();
            inner.verify(&plaintext, &dummy)
        })
        .await;
    }
}
