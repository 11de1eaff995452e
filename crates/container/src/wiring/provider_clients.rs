//! The provider clients and the credential cipher: over AWS from their Secrets Manager
//! secrets (read once, together, at cold start), in memory with the sandbox's app
//! credentials and a key of this process.

use std::sync::Arc;

use dashtam_core::SecretString;
use dashtam_domain::identity::ports::OpaqueTokens;
use dashtam_infrastructure::{
    providers::{
        alpaca::{AlpacaClient, AlpacaConfig},
        schwab::{SchwabClient, SchwabConfig, SchwabOAuth},
    },
    secrets::SecretsManagerSource,
    security::{AesGcmCipher, RandomOpaqueTokens},
};

use super::financial::ProviderClients;
use crate::{Config, ConfigError};

/// The clients over the secrets named in `config`.
pub(super) async fn from_secrets_manager(
    sdk: &aws_config::SdkConfig,
    config: &Config,
) -> Result<ProviderClients, ConfigError> {
    let providers = &config.providers;
    let source = |id: &Option<String>, var: &'static str| {
        id.clone()
            .map(|id| SecretsManagerSource::new(aws_sdk_secretsmanager::Client::new(sdk), id))
            .ok_or(ConfigError::Missing(var))
    };
    let schwab_secret = source(&providers.schwab_secret_id, "DASHTAM_SCHWAB_SECRET_ID")?;
    let key_secret = source(
        &providers.credentials_key_secret_id,
        "DASHTAM_CREDENTIALS_KEY_SECRET_ID",
    )?;
    let (schwab, cipher) = tokio::join!(
        schwab_secret.get(),
        AesGcmCipher::from_secrets_manager(&key_secret)
    );
    let invalid = |var, e: String| ConfigError::Invalid(var, e);
    let schwab = schwab.map_err(|e| invalid("DASHTAM_SCHWAB_SECRET_ID", e))?;
    let schwab = SchwabConfig::from_secret_json(&schwab)
        .map_err(|e| invalid("DASHTAM_SCHWAB_SECRET_ID", e))?;
    let cipher = cipher.map_err(|e| invalid("DASHTAM_CREDENTIALS_KEY_SECRET_ID", e.to_string()))?;
    clients(schwab, cipher, config)
}

/// The local in-memory product's clients: the sandbox's public app credentials, and a
/// key that lives as long as the process (so do its credentials).
pub(super) fn for_sandbox(config: &Config) -> Result<ProviderClients, ConfigError> {
    let schwab = SchwabConfig::new(
        "sandbox-client",
        SecretString::from("sandbox-secret".to_owned()),
    );
    let key = SecretString::from(RandomOpaqueTokens::new().hex_token().plaintext.repeat(2));
    let cipher = AesGcmCipher::from_secret(&key)
        .map_err(|e| ConfigError::Invalid("credentials key", e.to_string()))?;
    clients(schwab, cipher, config)
}

fn clients(
    schwab: SchwabConfig,
    cipher: AesGcmCipher,
    config: &Config,
) -> Result<ProviderClients, ConfigError> {
    let providers = &config.providers;
    let schwab = schwab.with_base_url(&providers.schwab_base_url);
    let alpaca = AlpacaConfig::default().with_base_url(&providers.alpaca_base_url);
    let fault = |e: dashtam_domain::providers::ProviderError| {
        ConfigError::Invalid("provider clients", e.to_string())
    };
    Ok(ProviderClients {
        schwab: Arc::new(SchwabClient::new(schwab.clone()).map_err(fault)?),
        schwab_oauth: Arc::new(SchwabOAuth::new(schwab).map_err(fault)?),
        alpaca: Arc::new(AlpacaClient::new(alpaca).map_err(fault)?),
        cipher: Arc::new(cipher),
    })
}
