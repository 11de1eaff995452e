//! Transactions: `ACCOUNT#<aid>` / `TXN#<YYYY-MM-DD>#<tid>` (newest first from one
//! descending Query), each with a marker `ACCOUNT#<aid>` / `TXNKEY#<provider id>` written
//! in the same transaction with `attribute_not_exists`, so concurrent syncs insert each
//! provider transaction once; `GSI1PK = TRANSACTION#<tid>` finds one by id.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use dashtam_domain::{
    Conflict, StoreError,
    platform::events::DomainEvent,
    portfolio::{Account, Transaction, TransactionPage, TransactionQuery, TransactionRepository},
};
use uuid::Uuid;

use super::{
    expr::{Expr, QuerySpec},
    keys::{
        TXN_GSI1SK, TXN_KEY_SK_PREFIX, account_pk, account_sk, key, txn_gsi1pk, txn_key_sk, user_pk,
    },
    outbox::event_items,
    table::{MAX_TX_ITEMS, Table, Tx, to_item},
};

mod items;
mod page;

use items::{TransactionItem, TransactionKeyItem};

/// Transactions per TransactWriteItems: two actions each (item + marker) and the
/// account's count, within DynamoDB's 100.
pub(crate) const TXNS_PER_WRITE: usize = (MAX_TX_ITEMS - 1) / 2;
/// Rounds of one chunk while concurrent inserts keep cancelling it. Every round drops
/// at least one transaction that turned out to exist, so this is a safety bound.
const CHUNK_ATTEMPTS: usize = 8;

#[derive(Debug, Clone)]
pub struct DynamoTransactionRepository {
    table: Table,
}

impl DynamoTransactionRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }

    /// Inserts one chunk with `ADD transaction_count :n` on the account (and `events`).
    /// A cancellation by existing markers (a concurrent sync inserted those) re-reads the
    /// chunk's markers and retries without the ones that exist. Answers how many it
    /// inserted.
    async fn insert_chunk(
        &self,
        account: &Account,
        mut chunk: Vec<&Transaction>,
        events: &[DomainEvent],
    ) -> Result<u64, StoreError> {
        let t = &self.table;
        for _ in 0..CHUNK_ATTEMPTS {
            if chunk.is_empty() {
                if !events.is_empty() {
                    t.commit("insert transactions", Vec::new(), events).await?;
                }
                return Ok(0);
            }
            let mut items = Vec::with_capacity(chunk.len() * 2 + 1);
            for txn in &chunk {
                let put = |item| t.put(item, Some("attribute_not_exists(PK)"), Expr::new());
                let row = put(to_item("transaction", &TransactionItem::new(txn))?)?;
                let marker = put(to_item("transaction key", &TransactionKeyItem::new(txn))?)?;
                items.push(TransactWriteItem::builder().put(row).build());
                items.push(TransactWriteItem::builder().put(marker).build());
            }
            let n = chunk.len() as u64;
            let count = t.update(
                key(user_pk(account.user_id), &account_sk(account.id)),
                "ADD #c :n",
                Some("attribute_exists(PK)"),
                Expr::new().name("#c", "transaction_count").n(":n", n),
            )?;
            items.push(TransactWriteItem::builder().update(count).build());
            let failed = match t.commit("insert transactions", items, events).await? {
                Tx::Committed => return Ok(n),
                failed => failed.failed(),
            };
            if failed.contains(&(chunk.len() * 2)) {
                // The account item is gone.
                return Err(StoreError::Conflict(Conflict::StaleAccount));
            }
            let present = self.existing_markers(account.id, &chunk).await?;
            let mut index = 0;
            chunk.retain(|txn| {
                let flagged = failed.contains(&index) || failed.contains(&(index + 1));
                index += 2;
                !flagged && !present.contains(&txn.provider_transaction_id)
            });
        }
        Err(StoreError::Unavailable(
            "dynamodb (insert transactions): concurrent inserts kept cancelling".to_owned(),
        ))
    }

    /// Which of `chunk`'s provider ids hold a marker now (one BatchGetItem).
    async fn existing_markers(
        &self,
        account_id: Uuid,
        chunk: &[&Transaction],
    ) -> Result<HashSet<String>, StoreError> {
        let keys = chunk
            .iter()
            .map(|t| {
                key(
                    account_pk(account_id),
                    &txn_key_sk(&t.provider_transaction_id),
                )
            })
            .collect();
        let found = self.table.batch_get("transaction key", keys).await?;
        Ok(found.iter().filter_map(provider_id_of).collect())
    }
}

/// The provider id in a marker's sort key.
fn provider_id_of(item: &super::table::Item) -> Option<String> {
    let sk = item.get("SK")?.as_s().ok()?;
    sk.strip_prefix(TXN_KEY_SK_PREFIX).map(str::to_owned)
}

#[async_trait]
impl TransactionRepository for DynamoTransactionRepository {
    /// One GSI1 Query (eventually consistent).
    async fn find(&self, transaction_id: Uuid) -> Result<Option<Transaction>, StoreError> {
        let found: Vec<TransactionItem> = self
            .table
            .query(
                "transaction",
                QuerySpec {
                    index: Some("GSI1"),
                    key_condition: "GSI1PK = :pk AND GSI1SK = :sk",
                    expr: Expr::new()
                        .s(":pk", txn_gsi1pk(transaction_id))
                        .s(":sk", TXN_GSI1SK),
                    forward: true,
                    limit: Some(1),
                },
            )
            .await?;
        Ok(found
            .into_iter()
            .next()
            .map(TransactionItem::into_transaction))
    }

    async fn page(
        &self,
        account_id: Uuid,
        query: &TransactionQuery,
    ) -> Result<TransactionPage, StoreError> {
        page::page(&self.table, account_id, query).await
    }

    /// Query `begins_with(SK, "TXNKEY#")` projecting only `SK`: about 40 bytes per
    /// transaction, so a page of 1 MB holds some 25,000 ids.
    async fn known_ids(&self, account_id: Uuid) -> Result<HashMap<String, String>, StoreError> {
        let q = QuerySpec {
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            expr: Expr::new()
                .s(":pk", account_pk(account_id))
                .s(":prefix", TXN_KEY_SK_PREFIX),
            forward: true,
            limit: None,
        };
        let mut ids = HashMap::new();
        let mut start = None;
        loop {
            let (items, last) = self
                .table
                .query_page_projected(
                    "transaction key",
                    &q,
                    None,
                    Some("SK, fingerprint"),
                    None,
                    start,
                )
                .await?;
            ids.extend(items.iter().filter_map(|item| {
                let fingerprint = item.get("fingerprint").and_then(|f| f.as_s().ok());
                Some((
                    provider_id_of(item)?,
                    fingerprint.cloned().unwrap_or_default(),
                ))
            }));
            match last {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(ids),
            }
        }
    }

    /// TransactWriteItems of up to 49 transactions each (item + marker, plus the
    /// account's count): N new transactions cost ⌈N / 49⌉ calls after the caller's
    /// keys-only dedupe (`known_ids`, one Query), never one call per item. A provider id
    /// stored meanwhile (a concurrent sync) costs its chunk one cancelled transaction and
    /// a BatchGetItem of the chunk's markers, then the retry without it. The events go
    /// with the last chunk (sized to leave them room). Chunks commit one by one: a
    /// failure part-way leaves the earlier chunks (and their counts) committed, which the
    /// next sync's dedupe skips.
    async fn insert_new(
        &self,
        account: &Account,
        transactions: &[Transaction],
        events: &[DomainEvent],
    ) -> Result<u64, StoreError> {
        let mut seen = HashSet::new();
        let fresh: Vec<&Transaction> = transactions
            .iter()
            .filter(|t| seen.insert(t.provider_transaction_id.as_str()))
            .collect();
        let event_count = event_items(&self.table, events)?.len();
        let last_size = (MAX_TX_ITEMS - 1)
            .checked_sub(event_count)
            .map(|room| (room / 2).min(TXNS_PER_WRITE))
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                StoreError::Unavailable(
                    "dynamodb (insert transactions): too many events for one write".to_owned(),
                )
            })?;
        let split = fresh.len().saturating_sub(last_size);
        let (rest, last) = fresh.split_at(split);
        let mut inserted = 0;
        for chunk in rest.chunks(TXNS_PER_WRITE) {
            inserted += self.insert_chunk(account, chunk.to_vec(), &[]).await?;
        }
        inserted += self.insert_chunk(account, last.to_vec(), events).await?;
        Ok(inserted)
    }
}
