//! [`Unwired`] for the financial half's ports.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    identity::value_objects::TokenHash,
    platform::events::DomainEvent,
    portfolio::{
        Account, AccountRepository, AccountSyncWrite, BalanceSnapshot, Holding, HoldingRepository,
        HoldingsSyncWrite, ScheduledSync, SnapshotRepository, SnapshotSource, SyncQueue,
        Transaction, TransactionPage, TransactionQuery, TransactionRepository,
    },
    providers::{
        CipherError, ConnectionRepository, CredentialCipher, Credentials, DateWindow,
        OAuthProvider, OAuthState, OAuthStateRepository, OAuthTokens, ProviderAccount,
        ProviderClient, ProviderConnection, ProviderError, ProviderHolding, ProviderTransaction,
        SealedCredentials, SyncClaims,
    },
};
use secrecy::SecretString;
use uuid::Uuid;

use super::Unwired;
use super::unwired::{Fault, unwired};

impl From<Fault> for ProviderError {
    fn from(f: Fault) -> Self {
        ProviderError::Unavailable(f.0)
    }
}

unwired!(ConnectionRepository {
    fn create(&ProviderConnection, &[DomainEvent]) -> Result<(), StoreError>;
    fn save(&ProviderConnection, &[DomainEvent]) -> Result<(), StoreError>;
    fn find(Uuid, Uuid) -> Result<Option<ProviderConnection>, StoreError>;
    fn owner_of(Uuid) -> Result<Option<Uuid>, StoreError>;
    fn list_for_user(Uuid) -> Result<Vec<ProviderConnection>, StoreError>;
    fn list_scheduled() -> Result<Vec<ProviderConnection>, StoreError>;
});

unwired!(OAuthStateRepository {
    fn put(&OAuthState) -> Result<(), StoreError>;
    fn take(&TokenHash) -> Result<Option<OAuthState>, StoreError>;
});

unwired!(SyncClaims {
    fn claim(Uuid, &str, DateTime<Utc>, chrono::Duration, bool) -> Result<bool, StoreError>;
    fn release(Uuid, &str, DateTime<Utc>) -> Result<(), StoreError>;
});

unwired!(ProviderClient {
    fn accounts(&Credentials) -> Result<Vec<ProviderAccount>, ProviderError>;
    fn transactions(&Credentials, &str, DateWindow) -> Result<Vec<ProviderTransaction>, ProviderError>;
    fn holdings(&Credentials, &str) -> Result<Vec<ProviderHolding>, ProviderError>;
});

unwired!(AccountRepository {
    fn list_for_user(Uuid) -> Result<Vec<Account>, StoreError>;
    fn find(Uuid, Uuid) -> Result<Option<Account>, StoreError>;
    fn owner_of(Uuid) -> Result<Option<Uuid>, StoreError>;
    fn commit_sync(AccountSyncWrite<'_>) -> Result<(), StoreError>;
    fn save_all(&[Account], &[DomainEvent]) -> Result<(), StoreError>;
});

unwired!(TransactionRepository {
    fn find(Uuid) -> Result<Option<Transaction>, StoreError>;
    fn page(Uuid, &TransactionQuery) -> Result<TransactionPage, StoreError>;
    fn known_ids(Uuid) -> Result<HashMap<String, String>, StoreError>;
    fn insert_new(&Account, &[Transaction], &[DomainEvent]) -> Result<u64, StoreError>;
});

unwired!(HoldingRepository {
    fn list_for_user(Uuid) -> Result<Vec<Holding>, StoreError>;
    fn list_for_account(Uuid, Uuid) -> Result<Vec<Holding>, StoreError>;
    fn commit_sync(HoldingsSyncWrite<'_>) -> Result<(), StoreError>;
});

unwired!(SnapshotRepository {
    fn latest(Uuid) -> Result<Option<BalanceSnapshot>, StoreError>;
    fn latest_at(Uuid, DateTime<Utc>) -> Result<Option<BalanceSnapshot>, StoreError>;
    fn range(Uuid, DateTime<Utc>, DateTime<Utc>, Option<SnapshotSource>) -> Result<Vec<BalanceSnapshot>, StoreError>;
    fn recent(Uuid, u32, Option<SnapshotSource>) -> Result<Vec<BalanceSnapshot>, StoreError>;
    fn append(&[BalanceSnapshot], &[DomainEvent]) -> Result<(), StoreError>;
});

unwired!(SyncQueue {
    fn send(&[ScheduledSync]) -> Result<u64, StoreError>;
    fn postpone(&str, std::time::Duration) -> Result<(), StoreError>;
});

#[async_trait]
impl OAuthProvider for Unwired {
    fn authorization_url(&self, _: &str, _: &str) -> String {
        // Fails closed: a URL no browser can open.
        self.fault();
        "about:blank#unwired".into()
    }

    fn refresh_token_lifetime(&self) -> chrono::Duration {
        chrono::Duration::zero()
    }

    async fn exchange_code(&self, _: &str, _: &str) -> Result<OAuthTokens, ProviderError> {
        Err(self.fault().into())
    }

    async fn refresh(&self, _: &SecretString) -> Result<OAuthTokens, ProviderError> {
        Err(self.fault().into())
    }
}

impl CredentialCipher for Unwired {
    fn seal(&self, _: &Credentials) -> Result<SealedCredentials, CipherError> {
        Err(CipherError::KeyUnavailable(self.fault().0))
    }

    fn open(&self, _: &SealedCredentials) -> Result<Credentials, CipherError> {
        Err(CipherError::KeyUnavailable(self.fault().0))
    }
}
