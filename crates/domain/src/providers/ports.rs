//! What the provider use cases reach: connections, OAuth states, sync claims, and the
//! providers themselves.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use uuid::Uuid;

use crate::{
    StoreError,
    identity::value_objects::TokenHash,
    platform::events::DomainEvent,
    providers::{
        Credentials, DateWindow, OAuthState, ProviderAccount, ProviderConnection, ProviderError,
        ProviderHolding, ProviderTransaction,
    },
};

/// Connections, kept under their owner. Every write stores the events given to it in
/// the outbox, in the same atomic write.
#[async_trait]
pub trait ConnectionRepository: Send + Sync {
    /// Stores a new connection (`version` 0 → stored as 1).
    async fn create(
        &self,
        connection: &ProviderConnection,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    /// Saves it if the store still holds `connection.version` (then it holds
    /// `version + 1`); `Conflict(StaleConnection)` otherwise.
    async fn save(
        &self,
        connection: &ProviderConnection,
        events: &[DomainEvent],
    ) -> Result<(), StoreError>;

    async fn find(
        &self,
        user_id: Uuid,
        connection_id: Uuid,
    ) -> Result<Option<ProviderConnection>, StoreError>;

    /// Whose connection this is, whoever asks (tells 403 from 404).
    async fn owner_of(&self, connection_id: Uuid) -> Result<Option<Uuid>, StoreError>;

    /// Every connection of the user, oldest first.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<ProviderConnection>, StoreError>;

    /// Every connection of every user that scheduled work considers — active, expired,
    /// revoked or failed; never pending or disconnected — through an index (no Scan), in
    /// no particular order.
    async fn list_scheduled(&self) -> Result<Vec<ProviderConnection>, StoreError>;
}

/// Started OAuth authorizations, keyed by the state's hash.
#[async_trait]
pub trait OAuthStateRepository: Send + Sync {
    async fn put(&self, state: &OAuthState) -> Result<(), StoreError>;

    /// Removes and returns the state in one conditional delete, so of two callbacks with
    /// one state exactly one gets it. Expired states are returned as they are (the caller
    /// checks `expires_at`); `None` when unknown or already taken.
    async fn take(&self, hash: &TokenHash) -> Result<Option<OAuthState>, StoreError>;
}

/// Guards against running one kind of sync of one thing twice within an interval.
#[async_trait]
pub trait SyncClaims: Send + Sync {
    /// Claims `key` (e.g. `accounts#<connection id>`) for the user at `now`: true when no
    /// claim is younger than `min_interval` (or `force`), false when one is. Atomic: of
    /// two concurrent claims within the interval exactly one wins.
    async fn claim(
        &self,
        user_id: Uuid,
        key: &str,
        now: DateTime<Utc>,
        min_interval: chrono::Duration,
        force: bool,
    ) -> Result<bool, StoreError>;

    /// Gives back a claim made at `claimed_at` (the sync failed, so the next one need not
    /// wait); a newer claim is left alone.
    async fn release(
        &self,
        user_id: Uuid,
        key: &str,
        claimed_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// A provider's data API. Adapters retry transient failures (bounded, honouring
/// `Retry-After`), time out every call, and map the wire format into the domain.
#[async_trait]
pub trait ProviderClient: Send + Sync {
    /// Every account the credentials reach. Also how API keys are validated.
    async fn accounts(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<ProviderAccount>, ProviderError>;

    /// The account's transactions in the window (every page, every chunk).
    async fn transactions(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
        window: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError>;

    /// The account's open positions.
    async fn holdings(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError>;
}

/// Tokens from a code exchange or a refresh.
#[derive(Debug, Clone)]
pub struct OAuthTokens {
    pub access_token: SecretString,
    /// Absent when the provider keeps the old one.
    pub refresh_token: Option<SecretString>,
    pub expires_in: Duration,
}

/// A provider's OAuth 2 authorization-code flow.
#[async_trait]
pub trait OAuthProvider: Send + Sync {
    /// Where to send the user's browser.
    fn authorization_url(&self, state: &str, redirect_uri: &str) -> String;

    /// How long a refresh token lives from the original consent (refreshing does not
    /// extend it).
    fn refresh_token_lifetime(&self) -> chrono::Duration;

    /// Exchanges a callback's code (already URL-decoded). `Rejected` for a code the
    /// provider refuses.
    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<OAuthTokens, ProviderError>;

    /// `Rejected` when the provider refuses the refresh token (it lapsed or was revoked).
    async fn refresh(&self, refresh_token: &SecretString) -> Result<OAuthTokens, ProviderError>;
}
