//! [`TransactionRepository`] over the [`MemoryStore`]: per account, newest first by
//! (date, id), each provider transaction once, the account's count moved with inserts.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use dashtam_domain::{
    Conflict, StoreError,
    platform::events::DomainEvent,
    portfolio::{
        Account, PageStart, Transaction, TransactionKey, TransactionPage, TransactionQuery,
        TransactionRepository,
    },
};
use uuid::Uuid;

use super::MemoryStore;

#[derive(Default)]
pub(crate) struct TransactionState {
    by_account: HashMap<Uuid, BTreeMap<TransactionKey, Transaction>>,
    /// (account, provider transaction id) → the row's fingerprint: the uniqueness marker.
    keys: HashMap<(Uuid, String), String>,
    /// transaction id → (account, position).
    index: HashMap<Uuid, (Uuid, TransactionKey)>,
}

#[async_trait]
impl TransactionRepository for MemoryStore {
    async fn find(&self, transaction_id: Uuid) -> Result<Option<Transaction>, StoreError> {
        let s = self.state()?;
        let t = &s.transactions;
        Ok(t.index
            .get(&transaction_id)
            .and_then(|(a, k)| t.by_account.get(a)?.get(k))
            .cloned())
    }

    async fn page(
        &self,
        account_id: Uuid,
        q: &TransactionQuery,
    ) -> Result<TransactionPage, StoreError> {
        let s = self.state()?;
        let (skip, after) = match &q.start {
            PageStart::Offset(n) => (*n as usize, None),
            PageStart::After(k) => (0, Some(k)),
        };
        let limit = q.limit as usize;
        let mut items: Vec<Transaction> = s
            .transactions
            .by_account
            .get(&account_id)
            .into_iter()
            .flat_map(|m| m.iter().rev())
            .filter(|(k, _)| after.is_none_or(|a| *k < a))
            .map(|(_, t)| t)
            .filter(|t| q.start_date.is_none_or(|d| t.transaction_date >= d))
            .filter(|t| q.end_date.is_none_or(|d| t.transaction_date <= d))
            .filter(|t| q.transaction_type.is_none_or(|ty| t.transaction_type == ty))
            .skip(skip)
            .take(limit.saturating_add(1))
            .cloned()
            .collect();
        let has_more = items.len() > limit;
        items.truncate(limit);
        Ok(TransactionPage { items, has_more })
    }

    async fn known_ids(&self, account_id: Uuid) -> Result<HashMap<String, String>, StoreError> {
        Ok(self
            .state()?
            .transactions
            .keys
            .iter()
            .filter(|((a, _), _)| *a == account_id)
            .map(|((_, id), fingerprint)| (id.clone(), fingerprint.clone()))
            .collect())
    }

    async fn insert_new(
        &self,
        account: &Account,
        transactions: &[Transaction],
        events: &[DomainEvent],
    ) -> Result<u64, StoreError> {
        let mut s = self.state()?;
        let fresh: Vec<&Transaction> = {
            let mut seen = HashSet::new();
            transactions
                .iter()
                .filter(|t| {
                    !s.transactions
                        .keys
                        .contains_key(&(account.id, t.provider_transaction_id.clone()))
                        && seen.insert(t.provider_transaction_id.as_str())
                })
                .collect()
        };
        if !fresh.is_empty() && !s.portfolio.accounts.contains_key(&account.id) {
            // As in DynamoDB: the count's update needs the account item.
            return Err(StoreError::Conflict(Conflict::StaleAccount));
        }
        let n = fresh.len() as u64;
        for t in fresh {
            let txns = &mut s.transactions;
            txns.keys.insert(
                (account.id, t.provider_transaction_id.clone()),
                t.fingerprint(),
            );
            txns.index.insert(t.id, (account.id, t.key()));
            txns.by_account
                .entry(account.id)
                .or_default()
                .insert(t.key(), t.clone());
        }
        if let Some(a) = s.portfolio.accounts.get_mut(&account.id) {
            a.transaction_count += n;
        }
        s.record(events);
        Ok(n)
    }
}
