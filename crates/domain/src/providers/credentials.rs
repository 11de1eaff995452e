use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// A provider's credentials in the clear: only ever in memory, between the cipher and a
/// provider call. `Debug` shows no secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    OAuth {
        #[serde(with = "secret")]
        access_token: SecretString,
        #[serde(with = "secret")]
        refresh_token: SecretString,
        access_expires_at: DateTime<Utc>,
        /// When the refresh token lapses (Schwab: 7 days from the original consent, not
        /// extended by refreshing).
        refresh_expires_at: DateTime<Utc>,
    },
    ApiKey {
        #[serde(with = "secret")]
        key_id: SecretString,
        #[serde(with = "secret")]
        secret: SecretString,
    },
}

/// Sealed credentials as stored: the cipher's output, opaque to everything else. The
/// blob records which key version sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCredentials(pub Vec<u8>);

impl std::fmt::Debug for SealedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedCredentials({} bytes)", self.0.len())
    }
}

/// Why credentials could not be sealed or opened. Never carries plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// Tampered, truncated, or sealed under a key this process does not hold.
    #[error("credentials cannot be opened: {0}")]
    Unreadable(&'static str),
    #[error("credential key unavailable: {0}")]
    KeyUnavailable(String),
}

/// Seals and opens provider credentials (AES-256-GCM in production).
pub trait CredentialCipher: Send + Sync {
    fn seal(&self, credentials: &Credentials) -> Result<SealedCredentials, CipherError>;
    fn open(&self, sealed: &SealedCredentials) -> Result<Credentials, CipherError>;
}

mod secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}
