//! Secrets Manager, read lazily on first use and cached for the life of the process.
//!
//! Nothing here logs or formats a secret value: errors name the secret id only.

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use dashtam_core::{ExposeSecret as _, SecretString};
use tokio::sync::OnceCell;

use crate::messaging::aws_error::summary;
use crate::security::{KeyError, SigningKeySource};

/// One secret (its `SecretString`), fetched once. Construction does no I/O; concurrent
/// first callers share a single GetSecretValue; a failed read is not cached.
pub struct SecretsManagerSource {
    client: Client,
    secret_id: String,
    value: OnceCell<SecretString>,
}

impl std::fmt::Debug for SecretsManagerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerSource")
            .field("secret_id", &self.secret_id)
            .field("loaded", &self.value.initialized())
            .finish_non_exhaustive()
    }
}

impl SecretsManagerSource {
    pub fn new(client: Client, secret_id: impl Into<String>) -> Self {
        Self {
            client,
            secret_id: secret_id.into(),
            value: OnceCell::new(),
        }
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret's string value (a copy of the cached one).
    pub async fn get(&self) -> Result<SecretString, String> {
        Ok(self.load().await?)
    }

    async fn load(&self) -> Result<SecretString, KeyError> {
        let cached = self.value.get_or_try_init(|| self.fetch()).await?;
        Ok(SecretString::from(cached.expose_secret().to_owned()))
    }

    /// A missing secret (or one without a string value) is configuration; any other
    /// failure is Secrets Manager's.
    async fn fetch(&self) -> Result<SecretString, KeyError> {
        let id = &self.secret_id;
        tracing::debug!(secret_id = %id, "reading secret");
        let out = self
            .client
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception())
                {
                    KeyError::Missing(format!("secret `{id}` not found in Secrets Manager"))
                } else {
                    KeyError::Upstream(format!(
                        "reading secret `{id}` from Secrets Manager failed: {}",
                        summary(&err)
                    ))
                }
            })?;
        out.secret_string
            .map(SecretString::from)
            .ok_or_else(|| KeyError::Missing(format!("secret `{id}` has no SecretString value")))
    }
}

#[async_trait]
impl SigningKeySource for SecretsManagerSource {
    async fn signing_key(&self) -> Result<SecretString, KeyError> {
        self.load().await
    }
}
