use std::sync::Arc;

use dashtam_domain::providers::{
    ConnectionRepository, CredentialCipher, OAuthProvider, OAuthStateRepository, ProviderClient,
    ProviderSlug, SyncClaims,
};

use super::Unwired;

/// Provider settings that come from configuration.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// Where Schwab sends the browser back when the client names no `redirect_uri`: the
    /// API's own `/oauth/schwab/callback`.
    pub default_redirect_uri: String,
}

/// Connections and their OAuth states, the sync guard, the credential cipher, and the
/// providers' clients.
#[derive(Clone)]
pub struct ProviderPorts {
    pub connections: Arc<dyn ConnectionRepository>,
    pub oauth_states: Arc<dyn OAuthStateRepository>,
    pub sync_claims: Arc<dyn SyncClaims>,
    pub cipher: Arc<dyn CredentialCipher>,
    pub schwab: Arc<dyn ProviderClient>,
    pub schwab_oauth: Arc<dyn OAuthProvider>,
    pub alpaca: Arc<dyn ProviderClient>,
    pub settings: ProviderSettings,
}

impl ProviderPorts {
    /// Every port answers "not wired".
    pub fn unwired() -> Self {
        let unwired = Arc::new(Unwired("providers"));
        Self {
            connections: unwired.clone(),
            oauth_states: unwired.clone(),
            sync_claims: unwired.clone(),
            cipher: unwired.clone(),
            schwab: unwired.clone(),
            schwab_oauth: unwired.clone(),
            alpaca: unwired,
            settings: ProviderSettings::default(),
        }
    }

    /// The data client of a provider with an API (`None` for file imports).
    pub fn client(&self, slug: ProviderSlug) -> Option<&Arc<dyn ProviderClient>> {
        match slug {
            ProviderSlug::Schwab => Some(&self.schwab),
            ProviderSlug::Alpaca => Some(&self.alpaca),
            ProviderSlug::ChaseFile => None,
        }
    }
}
