//! Decorators that time the sync's phases where they happen, inside the real use case:
//! the provider fetch (`ProviderClient::transactions`), the keys-only dedupe read
//! (`TransactionRepository::known_ids`) and the write (`insert_new`).

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    platform::events::DomainEvent,
    portfolio::{Account, Transaction, TransactionPage, TransactionQuery, TransactionRepository},
    providers::{
        Credentials, DateWindow, ProviderAccount, ProviderClient, ProviderError, ProviderHolding,
        ProviderTransaction,
    },
};
use uuid::Uuid;

/// Time spent in each phase since the last [`Phases::take`].
#[derive(Debug, Default)]
pub struct Phases {
    fetch: AtomicU64,
    dedupe: AtomicU64,
    write: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PhaseTimes {
    pub fetch: Duration,
    pub dedupe: Duration,
    pub write: Duration,
}

impl Phases {
    fn add(slot: &AtomicU64, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        slot.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn take(&self) -> PhaseTimes {
        let take = |slot: &AtomicU64| Duration::from_nanos(slot.swap(0, Ordering::Relaxed));
        PhaseTimes {
            fetch: take(&self.fetch),
            dedupe: take(&self.dedupe),
            write: take(&self.write),
        }
    }
}

pub struct TimedTransactions {
    pub inner: Arc<dyn TransactionRepository>,
    pub phases: Arc<Phases>,
}

#[async_trait]
impl TransactionRepository for TimedTransactions {
    async fn find(&self, transaction_id: Uuid) -> Result<Option<Transaction>, StoreError> {
        self.inner.find(transaction_id).await
    }

    async fn page(
        &self,
        account_id: Uuid,
        query: &TransactionQuery,
    ) -> Result<TransactionPage, StoreError> {
        self.inner.page(account_id, query).await
    }

    async fn known_ids(&self, account_id: Uuid) -> Result<HashMap<String, String>, StoreError> {
        let started = Instant::now();
        let out = self.inner.known_ids(account_id).await;
        Phases::add(&self.phases.dedupe, started);
        out
    }

    async fn insert_new(
        &self,
        account: &Account,
        transactions: &[Transaction],
        events: &[DomainEvent],
    ) -> Result<u64, StoreError> {
        let started = Instant::now();
        let out = self.inner.insert_new(account, transactions, events).await;
        Phases::add(&self.phases.write, started);
        out
    }
}

pub struct TimedProvider {
    pub inner: Arc<dyn ProviderClient>,
    pub phases: Arc<Phases>,
}

#[async_trait]
impl ProviderClient for TimedProvider {
    async fn accounts(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<ProviderAccount>, ProviderError> {
        self.inner.accounts(credentials).await
    }

    async fn transactions(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
        window: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError> {
        let started = Instant::now();
        let out = self
            .inner
            .transactions(credentials, provider_account_id, window)
            .await;
        Phases::add(&self.phases.fetch, started);
        out
    }

    async fn holdings(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError> {
        self.inner.holdings(credentials, provider_account_id).await
    }
}
