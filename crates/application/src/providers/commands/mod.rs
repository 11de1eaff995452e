mod complete_oauth;
mod connect_provider;
mod disconnect_provider;
mod refresh_provider_token;
mod update_connection;

pub use complete_oauth::{CompleteOAuth, OAuthFailure};
pub use connect_provider::{ConnectProvider, Connecting};
pub use disconnect_provider::DisconnectProvider;
pub use refresh_provider_token::{RefreshProviderToken, TokenRefreshed};
pub use update_connection::UpdateConnection;
