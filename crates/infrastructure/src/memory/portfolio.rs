//! [`AccountRepository`], [`HoldingRepository`] and [`SnapshotRepository`] over the
//! [`MemoryStore`], with the DynamoDB adapters' conditions and orders: each sync commits
//! whole or not at all, checked in the DynamoDB request order (creations, updates, then
//! the connection or account), so the same race gives the same error.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::DomainEvent,
    portfolio::{
        Account, AccountRepository, AccountSyncWrite, BalanceSnapshot, Holding, HoldingRepository,
        HoldingsSyncWrite, SnapshotRepository, SnapshotSource,
    },
};
use uuid::Uuid;

use super::{MemoryStore, store::State};

#[derive(Default)]
pub(crate) struct PortfolioState {
    pub(super) accounts: HashMap<Uuid, Account>,
    /// (connection, provider account id) → account: the uniqueness marker.
    account_keys: HashMap<(Uuid, String), Uuid>,
    /// (user, account, provider holding id): the DynamoDB sort-key order.
    holdings: BTreeMap<(Uuid, Uuid, String), Holding>,
    /// account → (captured at, id) → snapshot.
    snapshots: HashMap<Uuid, BTreeMap<(DateTime<Utc>, Uuid), BalanceSnapshot>>,
}

impl State {
    fn check_new_account(&self, a: &Account) -> Result<(), StoreError> {
        let p = &self.portfolio;
        if p.accounts.contains_key(&a.id)
            || p.account_keys
                .contains_key(&(a.connection_id, a.provider_account_id.clone()))
        {
            return Err(StoreError::AlreadyExists(Existing::Account));
        }
        Ok(())
    }

    fn check_account_version(&self, a: &Account) -> Result<(), StoreError> {
        match self.portfolio.accounts.get(&a.id) {
            Some(stored) if stored.user_id == a.user_id && stored.version == a.version => Ok(()),
            _ => Err(StoreError::Conflict(Conflict::StaleAccount)),
        }
    }

    fn create_account(&mut self, a: &Account) {
        let mut stored = a.clone();
        stored.version += 1;
        let p = &mut self.portfolio;
        p.account_keys
            .insert((a.connection_id, a.provider_account_id.clone()), a.id);
        p.accounts.insert(a.id, stored);
    }

    /// A save: `version` + 1; the count stays the store's (only inserts move it).
    fn save_account(&mut self, a: &Account) {
        let mut stored = a.clone();
        stored.version += 1;
        if let Some(old) = self.portfolio.accounts.get(&a.id) {
            stored.transaction_count = old.transaction_count;
        }
        self.portfolio.accounts.insert(a.id, stored);
    }

    fn put_snapshot(&mut self, s: &BalanceSnapshot) {
        self.portfolio
            .snapshots
            .entry(s.account_id)
            .or_default()
            .insert((s.captured_at, s.id), s.clone());
    }

    fn snapshots_of(&self, account_id: Uuid) -> impl DoubleEndedIterator<Item = &BalanceSnapshot> {
        self.portfolio
            .snapshots
            .get(&account_id)
            .into_iter()
            .flat_map(|m| m.values())
    }
}

fn holding_key(h: &Holding) -> (Uuid, Uuid, String) {
    (h.user_id, h.account_id, h.provider_holding_id.clone())
}

#[async_trait]
impl AccountRepository for MemoryStore {
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Account>, StoreError> {
        let mut list: Vec<Account> = self
            .state()?
            .portfolio
            .accounts
            .values()
            .filter(|a| a.user_id == user_id)
            .cloned()
            .collect();
        list.sort_by_key(|a| a.id);
        Ok(list)
    }

    async fn find(&self, user_id: Uuid, account_id: Uuid) -> Result<Option<Account>, StoreError> {
        Ok(self
            .state()?
            .portfolio
            .accounts
            .get(&account_id)
            .filter(|a| a.user_id == user_id)
            .cloned())
    }

    async fn owner_of(&self, account_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(self
            .state()?
            .portfolio
            .accounts
            .get(&account_id)
            .map(|a| a.user_id))
    }

    async fn commit_sync(&self, w: AccountSyncWrite<'_>) -> Result<(), StoreError> {
        let mut s = self.state()?;
        for a in w.created {
            s.check_new_account(a)?;
        }
        for a in w.updated {
            s.check_account_version(a)?;
        }
        s.check_connection_version(w.connection)?;
        for a in w.created {
            s.create_account(a);
        }
        for a in w.updated {
            s.save_account(a);
        }
        for snap in w.snapshots {
            s.put_snapshot(snap);
        }
        s.put_connection(w.connection);
        s.record(w.events);
        Ok(())
    }

    async fn save_all(
        &self,
        accounts: &[Account],
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        for a in accounts {
            s.check_account_version(a)?;
        }
        for a in accounts {
            s.save_account(a);
        }
        s.record(events);
        Ok(())
    }
}

#[async_trait]
impl HoldingRepository for MemoryStore {
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<Holding>, StoreError> {
        Ok(self
            .state()?
            .portfolio
            .holdings
            .values()
            .filter(|h| h.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn list_for_account(
        &self,
        user_id: Uuid,
        account_id: Uuid,
    ) -> Result<Vec<Holding>, StoreError> {
        Ok(self
            .state()?
            .portfolio
            .holdings
            .values()
            .filter(|h| h.user_id == user_id && h.account_id == account_id)
            .cloned()
            .collect())
    }

    async fn commit_sync(&self, w: HoldingsSyncWrite<'_>) -> Result<(), StoreError> {
        let mut s = self.state()?;
        for h in w.created {
            if s.portfolio.holdings.contains_key(&holding_key(h)) {
                return Err(StoreError::AlreadyExists(Existing::Holding));
            }
        }
        for h in w.updated {
            match s.portfolio.holdings.get(&holding_key(h)) {
                Some(stored) if stored.version == h.version => {}
                _ => return Err(StoreError::Conflict(Conflict::StaleHolding)),
            }
        }
        s.check_account_version(w.account)?;
        for h in w.created.iter().chain(w.updated) {
            let mut stored = h.clone();
            stored.version += 1;
            s.portfolio.holdings.insert(holding_key(h), stored);
        }
        s.put_snapshot(w.snapshot);
        s.save_account(w.account);
        s.record(w.events);
        Ok(())
    }
}

#[async_trait]
impl SnapshotRepository for MemoryStore {
    async fn latest(&self, account_id: Uuid) -> Result<Option<BalanceSnapshot>, StoreError> {
        Ok(self.state()?.snapshots_of(account_id).next_back().cloned())
    }

    async fn latest_at(
        &self,
        account_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<BalanceSnapshot>, StoreError> {
        Ok(self
            .state()?
            .snapshots_of(account_id)
            .rev()
            .find(|s| s.captured_at <= at)
            .cloned())
    }

    async fn range(
        &self,
        account_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError> {
        Ok(self
            .state()?
            .snapshots_of(account_id)
            .filter(|s| s.captured_at >= from && s.captured_at <= to)
            .filter(|s| source.is_none_or(|src| s.source == src))
            .cloned()
            .collect())
    }

    async fn recent(
        &self,
        account_id: Uuid,
        limit: u32,
        source: Option<SnapshotSource>,
    ) -> Result<Vec<BalanceSnapshot>, StoreError> {
        Ok(self
            .state()?
            .snapshots_of(account_id)
            .rev()
            .filter(|s| source.is_none_or(|src| s.source == src))
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn append(
        &self,
        snapshots: &[BalanceSnapshot],
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        let mut s = self.state()?;
        for snap in snapshots {
            s.put_snapshot(snap);
        }
        s.record(events);
        Ok(())
    }
}
