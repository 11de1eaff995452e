//! HS256 access tokens with a signing key loaded lazily on first use.

use std::sync::Arc;

use async_trait::async_trait;
use dashtam_core::{Clock, ExposeSecret as _, SecretString, SystemClock};
use dashtam_domain::identity::ports::{AccessClaims, AccessTokenError, AccessTokenService};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// HS256 keys shorter than this are refused (RFC 7518 §3.2: at least the hash size).
pub const MIN_KEY_BYTES: usize = 32;

/// Allowed clock skew when checking `exp`, in seconds.
const EXP_LEEWAY_SECONDS: i64 = 2;

pub const DEFAULT_ISSUER: &str = "dashtam";
pub const DEFAULT_AUDIENCE: &str = "dashtam-api";

/// Where the HS256 secret comes from (Secrets Manager in AWS mode, a fixed value in tests
/// and the in-memory mode). Called lazily, at most until one call succeeds.
#[async_trait]
pub trait SigningKeySource: Send + Sync {
    /// The secret; its UTF-8 bytes are the HMAC key. The error never contains the value.
    async fn signing_key(&self) -> Result<SecretString, KeyError>;
}

/// Why a [`SigningKeySource`] has no key. The message names the secret, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is not there or not usable (missing secret, no value): configuration.
    #[error("{0}")]
    Missing(String),
    /// The service holding the key failed to answer.
    #[error("{0}")]
    Upstream(String),
}

impl From<KeyError> for String {
    fn from(e: KeyError) -> Self {
        e.to_string()
    }
}

/// A key known up front.
pub struct StaticSigningKey(SecretString);

impl StaticSigningKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }
}

impl std::fmt::Debug for StaticSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticSigningKey(***)")
    }
}

#[async_trait]
impl SigningKeySource for StaticSigningKey {
    async fn signing_key(&self) -> Result<SecretString, KeyError> {
        Ok(SecretString::from(self.0.expose_secret().to_owned()))
    }
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// [`AccessTokenService`] over HS256 JWTs.
///
/// Construction does no I/O (cold-start budget): the key is fetched from its
/// [`SigningKeySource`] on the first `issue`/`verify` and cached for the life of the
/// process; concurrent first callers share one fetch. A failed fetch is not cached, so the
/// next request tries again.
pub struct JwtAccessTokens {
    source: Arc<dyn SigningKeySource>,
    keys: OnceCell<Keys>,
    ttl_seconds: i64,
    issuer: String,
    audience: String,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for JwtAccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAccessTokens")
            .field("ttl_seconds", &self.ttl_seconds)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("key_loaded", &self.keys.initialized())
            .finish_non_exhaustive()
    }
}

impl JwtAccessTokens {
    /// Tokens signed with the key from `source` (fetched lazily), valid `ttl_seconds`
    /// (900 in production), issuer `dashtam`, audience `dashtam-api`.
    pub fn new(source: Arc<dyn SigningKeySource>, ttl_seconds: i64) -> Self {
        Self {
            source,
            keys: OnceCell::new(),
            ttl_seconds,
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Tokens signed with a fixed key (tests, in-memory mode). A key shorter than
    /// [`MIN_KEY_BYTES`] makes every call fail with `KeyUnavailable`.
    pub fn with_fixed_key(key: impl Into<String>, ttl_seconds: i64) -> Self {
        Self::new(Arc::new(StaticSigningKey::new(key)), ttl_seconds)
    }

    /// Tests only (`testing` feature).
    #[cfg(any(test, feature = "testing"))]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Tests only (`testing` feature).
    #[cfg(any(test, feature = "testing"))]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// The clock that stamps `iat`/`exp` and checks expiry (the process's one clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    async fn keys(&self) -> Result<&Keys, AccessTokenError> {
        self.keys
            .get_or_try_init(|| async {
                let secret = self.source.signing_key().await.map_err(|e| match e {
                    KeyError::Missing(m) => AccessTokenError::KeyUnavailable(m),
                    KeyError::Upstream(m) => AccessTokenError::Upstream(m),
                })?;
                let bytes = secret.expose_secret().as_bytes();
                if bytes.len() < MIN_KEY_BYTES {
                    return Err(AccessTokenError::KeyUnavailable(format!(
                        "the JWT signing key is {} bytes; at least {MIN_KEY_BYTES} are required",
                        bytes.len()
                    )));
                }
                Ok(Keys {
                    encoding: EncodingKey::from_secret(bytes),
                    decoding: DecodingKey::from_secret(bytes),
                })
            })
            .await
    }

    fn validation(&self) -> Validation {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked below against the injected clock, not the library's system time.
        v.validate_exp = false;
        v.leeway = 0;
        v
    }
}

#[async_trait]
impl AccessTokenService for JwtAccessTokens {
    fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    async fn issue(
        &self,
        user_id: Uuid,
        email: &str,
        roles: Vec<String>,
        session_id: Uuid,
    ) -> Result<String, AccessTokenError> {
        let keys = self.keys().await?;
        let iat = self.clock.now().timestamp();
        let claims = AccessClaims {
            sub: user_id,
            email: email.to_owned(),
            roles,
            session_id,
            jti: dashtam_core::new_id(),
            iat,
            exp: iat + self.ttl_seconds,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)
            .map_err(|e| AccessTokenError::KeyUnavailable(format!("signing failed: {e}")))
    }

    async fn verify(&self, token: &str) -> Result<AccessClaims, AccessTokenError> {
        let keys = self.keys().await?;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &keys.decoding, &self.validation())
            .map_err(|_| AccessTokenError::Invalid)?;
        let claims = data.claims;
        if claims.exp + EXP_LEEWAY_SECONDS <= self.clock.now().timestamp() {
            return Err(AccessTokenError::Invalid);
        }
        Ok(claims)
    }
}
