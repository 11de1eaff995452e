//! Providers: the catalogue, connections and their state machine, credentials (sealed at
//! rest), OAuth states, what providers report, and the provider ports.

mod catalog;
mod connection;
mod credentials;
mod data;
mod error;
pub mod mapping;
mod oauth_state;
mod ports;

pub use catalog::{CATALOG, CredentialType, ProviderCategory, ProviderInfo, ProviderSlug};
pub use connection::{ConnectionStatus, Grant, IllegalTransition, ProviderConnection};
pub use credentials::{CipherError, CredentialCipher, Credentials, SealedCredentials};
pub use data::{DateWindow, ProviderAccount, ProviderHolding, ProviderTransaction};
pub use error::ProviderError;
pub use oauth_state::{OAUTH_STATE_TTL, OAuthState};
pub use ports::{
    ConnectionRepository, OAuthProvider, OAuthStateRepository, OAuthTokens, ProviderClient,
    SyncClaims,
};
