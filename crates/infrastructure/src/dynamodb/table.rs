//! The table handle shared by every repository, and every call it makes to DynamoDB:
//! reads, conditional single writes, transactions (with their cancellation reasons and
//! the outbox items of their events) and (de)serialisation of items.

use std::time::Duration;

use aws_sdk_dynamodb::{
    Client,
    operation::{delete_item::DeleteItemError, update_item::UpdateItemError},
    types::{
        Delete, KeysAndAttributes, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
        TransactWriteItem, Update,
    },
};
use dashtam_domain::{StoreError, platform::events::DomainEvent};
use serde::de::DeserializeOwned;

use super::{
    errors::{condition_failures, sdk_error, written},
    expr::{Expr, QuerySpec},
    keys::key,
    outbox::event_items,
};

pub(crate) use super::{
    item::{Item, from_item, to_item},
    outcome::{Tx, Updated},
};

/// Attempts of a transaction whose only trouble is `TransactionConflict` (another
/// transaction touching the same items was in flight). Nothing was written, so retrying is
/// safe; the retry then either commits or meets the winner's result as a failed condition.
const CONFLICT_ATTEMPTS: u32 = 5;

/// Rounds of a BatchGetItem while DynamoDB leaves keys unprocessed (throttling).
const BATCH_GET_ATTEMPTS: u32 = 4;

/// TransactWriteItems takes at most 100 actions.
pub(crate) const MAX_TX_ITEMS: usize = 100;

/// The one table every repository shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Table {
    client: Client,
    name: String,
}

impl Table {
    pub fn new(client: Client, name: String) -> Self {
        Self { client, name }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A strongly consistent GetItem, deserialised into `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        what: &'static str,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", what, &e))?;
        out.item.map(|item| from_item(what, item)).transpose()
    }

    /// Strongly consistent reads of several keys in one BatchGetItem (one round trip when
    /// DynamoDB processes every key, which it does for a handful of small items). Answers
    /// the raw items by `(PK, SK)`; keys DynamoDB leaves unprocessed are asked again.
    pub(crate) async fn batch_get(
        &self,
        what: &'static str,
        keys: Vec<Item>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        let mut pending = keys;
        for attempt in 0..BATCH_GET_ATTEMPTS {
            if pending.is_empty() {
                break;
            }
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .map_err(|e| {
                    StoreError::Unavailable(format!("dynamodb: building BatchGet: {e}"))
                })?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.name, request)
                .send()
                .await
                .map_err(|e| sdk_error("BatchGetItem", what, &e))?;
            if let Some(mut responses) = out.responses {
                found.extend(responses.remove(&self.name).unwrap_or_default());
            }
            if let Some(mut unprocessed) = out.unprocessed_keys {
                pending = unprocessed
                    .remove(&self.name)
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        if pending.is_empty() {
            Ok(found)
        } else {
            // DynamoDB leaves keys unprocessed when it throttles.
            Err(StoreError::Throttled(format!(
                "dynamodb BatchGetItem ({what}): keys left unprocessed"
            )))
        }
    }

    /// Runs a Query to the end (following `LastEvaluatedKey`) or until `limit` items.
    pub(crate) async fn query<T: DeserializeOwned>(
        &self,
        what: &'static str,
        q: QuerySpec,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let left = q.limit.map(|l| l.saturating_sub(out.len()));
            let (items, last) = self.query_page(what, &q, None, left, start.take()).await?;
            for item in items {
                out.push(from_item(what, item)?);
            }
            let full = q.limit.is_some_and(|l| out.len() >= l);
            match last {
                Some(k) if !k.is_empty() && !full => start = Some(k),
                _ => break,
            }
        }
        Ok(out)
    }

    /// One Query call: the raw items of at most `limit` examined (`filter` drops some
    /// after the limit applied) from `start` on, and `LastEvaluatedKey`. `q.limit` is
    /// ignored.
    pub(crate) async fn query_page(
        &self,
        what: &'static str,
        q: &QuerySpec,
        filter: Option<&'static str>,
        limit: Option<usize>,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        self.query_page_projected(what, q, filter, None, limit, start)
            .await
    }

    /// [`Table::query_page`] reading only the attributes of `projection`.
    pub(crate) async fn query_page_projected(
        &self,
        what: &'static str,
        q: &QuerySpec,
        filter: Option<&'static str>,
        projection: Option<&'static str>,
        limit: Option<usize>,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let page = self
            .client
            .query()
            .table_name(&self.name)
            .set_index_name(q.index.map(str::to_owned))
            .key_condition_expression(q.key_condition)
            .set_filter_expression(filter.map(str::to_owned))
            .set_projection_expression(projection.map(str::to_owned))
            .set_expression_attribute_names(q.expr.names_opt())
            .set_expression_attribute_values(q.expr.values_opt())
            .scan_index_forward(q.forward)
            // GSIs cannot be read strongly consistently.
            .set_consistent_read(q.index.is_none().then_some(true))
            .set_limit(limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error("Query", what, &e))?;
        Ok((page.items.unwrap_or_default(), page.last_evaluated_key))
    }

    pub(crate) fn put(
        &self,
        item: Item,
        condition: Option<&str>,
        expr: Expr,
    ) -> Result<Put, StoreError> {
        Put::builder()
            .table_name(&self.name)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .set_expression_attribute_names(expr.names_opt())
            .set_expression_attribute_values(expr.values_opt())
            .build()
            .map_err(|e| StoreError::Unavailable(format!("dynamodb: building Put: {e}")))
    }

    pub(crate) fn update(
        &self,
        key: Item,
        update: &str,
        condition: Option<&str>,
        expr: Expr,
    ) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.name)
            .set_key(Some(key))
            .update_expression(update)
            .set_condition_expression(condition.map(str::to_owned))
            .set_expression_attribute_names(expr.names_opt())
            .set_expression_attribute_values(expr.values_opt())
            .build()
            .map_err(|e| StoreError::Unavailable(format!("dynamodb: building Update: {e}")))
    }

    pub(crate) fn delete(
        &self,
        key: Item,
        condition: Option<&str>,
        expr: Expr,
    ) -> Result<Delete, StoreError> {
        Delete::builder()
            .table_name(&self.name)
            .set_key(Some(key))
            .set_condition_expression(condition.map(str::to_owned))
            .set_expression_attribute_names(expr.names_opt())
            .set_expression_attribute_values(expr.values_opt())
            .build()
            .map_err(|e| StoreError::Unavailable(format!("dynamodb: building Delete: {e}")))
    }

    /// A single conditional PutItem. `Ok(false)` when the condition failed.
    pub(crate) async fn put_if(&self, what: &'static str, put: Put) -> Result<bool, StoreError> {
        let res = self
            .client
            .put_item()
            .table_name(put.table_name)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await;
        written(res, "PutItem", what)
    }

    /// A single conditional UpdateItem. `Ok(false)` when the condition failed.
    pub(crate) async fn update_if(
        &self,
        what: &'static str,
        update: Update,
    ) -> Result<bool, StoreError> {
        let answer = self
            .update_returning(what, update, ReturnValue::None)
            .await?;
        Ok(matches!(answer, Updated::Written(_)))
    }

    /// A single conditional UpdateItem that answers the item: the attributes `returning`
    /// asks for when it was written, the stored item when the condition failed
    /// (`ReturnValuesOnConditionCheckFailure = ALL_OLD`; `None` when there is none).
    pub(crate) async fn update_returning(
        &self,
        what: &'static str,
        update: Update,
        returning: ReturnValue,
    ) -> Result<Updated, StoreError> {
        let res = self
            .client
            .update_item()
            .table_name(update.table_name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .return_values(returning)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match res {
            Ok(out) => Ok(Updated::Written(out.attributes)),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    Ok(Updated::Refused(failed.item.clone()))
                }
                _ => Err(sdk_error("UpdateItem", what, &e)),
            },
        }
    }

    /// A single conditional DeleteItem. `Ok(false)` when the condition failed.
    pub(crate) async fn delete_if(
        &self,
        what: &'static str,
        delete: Delete,
    ) -> Result<bool, StoreError> {
        let res = self
            .client
            .delete_item()
            .table_name(delete.table_name)
            .set_key(Some(delete.key))
            .set_condition_expression(delete.condition_expression)
            .set_expression_attribute_names(delete.expression_attribute_names)
            .set_expression_attribute_values(delete.expression_attribute_values)
            .send()
            .await;
        written(res, "DeleteItem", what)
    }

    /// A single conditional DeleteItem that answers the deleted item
    /// (`ReturnValues = ALL_OLD`); `None` when the condition failed.
    pub(crate) async fn delete_returning(
        &self,
        what: &'static str,
        delete: Delete,
    ) -> Result<Option<Item>, StoreError> {
        let res = self
            .client
            .delete_item()
            .table_name(delete.table_name)
            .set_key(Some(delete.key))
            .set_condition_expression(delete.condition_expression)
            .set_expression_attribute_names(delete.expression_attribute_names)
            .set_expression_attribute_values(delete.expression_attribute_values)
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match res {
            Ok(out) => Ok(out.attributes),
            Err(e) => match e.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(None),
                _ => Err(sdk_error("DeleteItem", what, &e)),
            },
        }
    }

    /// TransactWriteItems. Either everything is written ([`Tx::Committed`]) or nothing,
    /// and [`Tx::Failed`] tells which items' conditions failed (in request order).
    ///
    /// Cancellations caused only by `TransactionConflict` are retried a few times with a
    /// short backoff; any other cancellation code (throttling, validation, size) and every
    /// other error becomes `StoreError::Unavailable`.
    pub(crate) async fn transact(
        &self,
        what: &'static str,
        items: Vec<TransactWriteItem>,
    ) -> Result<Tx, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let res = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let err = match res {
                Ok(_) => return Ok(Tx::Committed),
                Err(e) => e,
            };
            if let Some(failed) = condition_failures(what, items.len(), &err)? {
                return Ok(Tx::Failed(failed));
            }
            if attempt >= CONFLICT_ATTEMPTS {
                return Err(StoreError::Unavailable(format!(
                    "dynamodb TransactWriteItems ({what}): transaction conflict persisted"
                )));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// A transaction of `items` plus the outbox items of `events`. Failure indices refer
    /// to `items` (event items are unconditional and come last).
    pub(crate) async fn commit(
        &self,
        what: &'static str,
        mut items: Vec<TransactWriteItem>,
        events: &[DomainEvent],
    ) -> Result<Tx, StoreError> {
        items.extend(event_items(self, events)?);
        if items.len() > MAX_TX_ITEMS {
            return Err(StoreError::Unavailable(format!(
                "dynamodb ({what}): {} actions exceed one transaction",
                items.len()
            )));
        }
        self.transact(what, items).await
    }

    /// One conditional update with its events: a plain UpdateItem when there are none,
    /// else a transaction. `Ok(false)` when the condition failed (nothing written).
    pub(crate) async fn update_with_events(
        &self,
        what: &'static str,
        update: Update,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        if events.is_empty() {
            return self.update_if(what, update).await;
        }
        let item = TransactWriteItem::builder().update(update).build();
        Ok(self.commit(what, vec![item], events).await?.is_committed())
    }

    /// One conditional put with its events; see [`Table::update_with_events`].
    pub(crate) async fn put_with_events(
        &self,
        what: &'static str,
        put: Put,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        if events.is_empty() {
            return self.put_if(what, put).await;
        }
        let item = TransactWriteItem::builder().put(put).build();
        Ok(self.commit(what, vec![item], events).await?.is_committed())
    }
}

fn backoff(attempt: u32) -> Duration {
    // 10, 20, 40, 80 ms plus up to 10 ms of jitter from the clock's nanoseconds.
    let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 10_000_000) / 1_000_000;
    Duration::from_millis(10 * (1 << attempt.min(6)) / 2 + jitter)
}
