//! The table handle shared by every repository, and the plumbing around the SDK: item
//! (de)serialisation, expressions, transactions with their cancellation reasons, errors.

use std::{collections::HashMap, time::Duration};

use aws_sdk_dynamodb::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::transact_write_items::TransactWriteItemsError,
    types::{AttributeValue, Delete, KeysAndAttributes, Put, TransactWriteItem, Update},
};
use dashtam_domain::StoreError;
use serde::{Serialize, de::DeserializeOwned};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// Attempts of a transaction whose only trouble is `TransactionConflict` (another
/// transaction touching the same items was in flight). Nothing was written, so retrying is
/// safe; the retry then either commits or meets the winner's result as a failed condition.
const CONFLICT_ATTEMPTS: u32 = 5;

/// Rounds of a BatchGetItem while DynamoDB leaves keys unprocessed (throttling).
const BATCH_GET_ATTEMPTS: u32 = 4;

/// The one table every repository shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Table {
    pub(crate) client: Client,
    pub(crate) name: String,
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
            Err(StoreError::Unavailable(format!(
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
            let page_limit = q
                .limit
                .map(|l| i32::try_from(l.saturating_sub(out.len())).unwrap_or(i32::MAX));
            let page = self
                .client
                .query()
                .table_name(&self.name)
                .set_index_name(q.index.map(str::to_owned))
                .key_condition_expression(q.key_condition)
                .set_expression_attribute_names(q.expr.names_opt())
                .set_expression_attribute_values(q.expr.values_opt())
                .scan_index_forward(q.forward)
                // GSIs cannot be read strongly consistently.
                .set_consistent_read(q.index.is_none().then_some(true))
                .set_limit(page_limit)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("Query", what, &e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(what, item)?);
            }
            let full = q.limit.is_some_and(|l| out.len() >= l);
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() && !full => start = Some(k),
                _ => break,
            }
        }
        Ok(out)
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
        match res {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(sdk_error("PutItem", what, &e)),
        }
    }

    /// A single conditional UpdateItem. `Ok(false)` when the condition failed.
    pub(crate) async fn update_if(
        &self,
        what: &'static str,
        update: Update,
    ) -> Result<bool, StoreError> {
        let res = self
            .client
            .update_item()
            .table_name(update.table_name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(sdk_error("UpdateItem", what, &e)),
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
        match res {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(sdk_error("DeleteItem", what, &e)),
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
            let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
                err.as_service_error()
            else {
                return Err(sdk_error("TransactWriteItems", what, &err));
            };
            let mut codes: Vec<String> = cancel
                .cancellation_reasons()
                .iter()
                .map(|r| r.code().unwrap_or("None").to_owned())
                .collect();
            if codes.is_empty() {
                // Some emulators put the reasons only into the message:
                // "... specific reasons [ConditionalCheckFailed, None]".
                codes = reasons_from_message(cancel.message().unwrap_or(""));
            }
            if codes.len() != items.len() {
                return Err(StoreError::Unavailable(format!(
                    "dynamodb TransactWriteItems ({what}): cancelled with {} reasons for {} items",
                    codes.len(),
                    items.len()
                )));
            }
            if let Some(other) = codes.iter().find(|c| {
                !matches!(
                    c.as_str(),
                    "None" | "ConditionalCheckFailed" | "TransactionConflict"
                )
            }) {
                return Err(StoreError::Unavailable(format!(
                    "dynamodb TransactWriteItems ({what}): cancelled: {other}"
                )));
            }
            if codes.iter().any(|c| c == "ConditionalCheckFailed") {
                return Ok(Tx::Failed(
                    codes
                        .iter()
                        .map(|c| c == "ConditionalCheckFailed")
                        .collect(),
                ));
            }
            if attempt >= CONFLICT_ATTEMPTS {
                return Err(StoreError::Unavailable(format!(
                    "dynamodb TransactWriteItems ({what}): transaction conflict persisted"
                )));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// Outcome of a transaction that reached the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tx {
    Committed,
    /// Nothing was written; `true` at index i when item i's condition failed.
    Failed(Vec<bool>),
}

impl Tx {
    /// Indices of the items whose condition failed (empty when committed).
    pub(crate) fn failed(&self) -> Vec<usize> {
        match self {
            Self::Committed => Vec::new(),
            Self::Failed(v) => v
                .iter()
                .enumerate()
                .filter(|(_, f)| **f)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    pub(crate) fn is_committed(&self) -> bool {
        matches!(self, Self::Committed)
    }
}

fn backoff(attempt: u32) -> Duration {
    // 10, 20, 40, 80 ms plus up to 10 ms of jitter from the clock's nanoseconds.
    let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 10_000_000) / 1_000_000;
    Duration::from_millis(10 * (1 << attempt.min(6)) / 2 + jitter)
}

fn reasons_from_message(message: &str) -> Vec<String> {
    let Some(open) = message.rfind('[') else {
        return Vec::new();
    };
    let Some(close) = message[open..].find(']') else {
        return Vec::new();
    };
    message[open + 1..open + close]
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Expression attribute names and values, built fluently.
#[derive(Debug, Default, Clone)]
pub(crate) struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `#alias` → attribute name. Every attribute in an expression is aliased, so reserved
    /// words (`ttl`, `status`, ...) never bite.
    pub(crate) fn name(mut self, alias: &str, attribute: &str) -> Self {
        self.names.insert(alias.to_owned(), attribute.to_owned());
        self
    }

    pub(crate) fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }

    pub(crate) fn s(self, placeholder: &str, value: impl Into<String>) -> Self {
        self.value(placeholder, AttributeValue::S(value.into()))
    }

    pub(crate) fn n(self, placeholder: &str, value: impl ToString) -> Self {
        self.value(placeholder, AttributeValue::N(value.to_string()))
    }

    pub(crate) fn names_opt(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub(crate) fn values_opt(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// Parameters of a [`Table::query`].
#[derive(Debug)]
pub(crate) struct QuerySpec {
    pub index: Option<&'static str>,
    pub key_condition: &'static str,
    pub expr: Expr,
    pub forward: bool,
    pub limit: Option<usize>,
}

pub(crate) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("PK".to_owned(), AttributeValue::S(pk)),
        ("SK".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

pub(crate) fn to_item<T: Serialize>(what: &'static str, value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value)
        .map_err(|e| StoreError::Unavailable(format!("dynamodb: cannot serialise {what}: {e}")))
}

/// The serde message is left out on purpose: it may quote a field's value (a hash, an
/// email), and these messages end up in logs.
pub(crate) fn from_item<T: DeserializeOwned>(
    what: &'static str,
    item: Item,
) -> Result<T, StoreError> {
    serde_dynamo::from_item(item)
        .map_err(|_| StoreError::Unavailable(format!("dynamodb: corrupt item ({what})")))
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ConditionalCheckFailedException"))
}

/// Any other SDK failure. Carries the operation and AWS's error code and message (never
/// request contents); for transport failures the error chain.
pub(crate) fn sdk_error<E, R>(
    op: &'static str,
    what: &'static str,
    err: &SdkError<E, R>,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) => StoreError::Unavailable(format!(
            "dynamodb {op} ({what}): {}: {}",
            e.code().unwrap_or("unknown"),
            e.message().unwrap_or("")
        )),
        None => StoreError::Unavailable(format!(
            "dynamodb {op} ({what}): {}",
            DisplayErrorContext(err)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_parsed_from_the_message() {
        assert_eq!(
            reasons_from_message(
                "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]"
            ),
            ["ConditionalCheckFailed", "None"]
        );
        assert!(reasons_from_message("no brackets").is_empty());
    }

    #[test]
    fn failed_lists_indices() {
        assert_eq!(Tx::Failed(vec![false, true, true]).failed(), [1, 2]);
        assert!(Tx::Committed.failed().is_empty());
    }
}
