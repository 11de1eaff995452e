use chrono::NaiveDate;
use dashtam_domain::{
    FieldError,
    portfolio::{PageStart, Transaction, TransactionKey, TransactionQuery, TransactionType},
};
use uuid::Uuid;

use crate::{
    AppError, Ports,
    dto::Principal,
    portfolio::{check_range, owned_account},
};

/// One page of an account's transactions, newest first, by offset or by cursor (a
/// cursor page costs one query however deep it is).
pub struct ListTransactions<'a> {
    pub principal: &'a Principal,
    pub account_id: Uuid,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub transaction_type: Option<TransactionType>,
    pub limit: u32,
    pub offset: u32,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TransactionList {
    pub transactions: Vec<Transaction>,
    /// Every transaction the account holds.
    pub total_count: u64,
    pub has_more: bool,
    /// Continues exactly after this page (same filters); `None` on the last page.
    pub next_cursor: Option<String>,
}

impl ListTransactions<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<TransactionList, AppError> {
        check_range(self.start_date, self.end_date)?;
        let account = owned_account(ports, self.principal.user_id, self.account_id).await?;
        let scope = self.scope();
        let cursors = &ports.platform.cursors;
        let start = match &self.cursor {
            Some(token) => {
                let payload = cursors
                    .open(&scope, token)
                    .await
                    .map_err(|e| AppError::Internal(format!("cursor: {e}")))?;
                PageStart::After(
                    payload
                        .as_deref()
                        .and_then(decode)
                        .ok_or_else(invalid_cursor)?,
                )
            }
            None => PageStart::Offset(self.offset),
        };
        let page = ports
            .portfolio
            .transactions
            .page(
                account.id,
                &TransactionQuery {
                    start_date: self.start_date,
                    end_date: self.end_date,
                    transaction_type: self.transaction_type,
                    limit: self.limit,
                    start,
                },
            )
            .await?;
        let next_cursor = match page.items.last() {
            Some(last) if page.has_more => Some(
                cursors
                    .seal(&scope, &encode(&last.key()))
                    .await
                    .map_err(|e| AppError::Internal(format!("cursor: {e}")))?,
            ),
            _ => None,
        };
        Ok(TransactionList {
            transactions: page.items,
            total_count: account.transaction_count,
            has_more: page.has_more,
            next_cursor,
        })
    }

    /// What a cursor is bound to: the account and the filters (not the page size).
    fn scope(&self) -> String {
        format!(
            "transactions|{}|{}|{}|{}",
            self.account_id,
            self.start_date.map(|d| d.to_string()).unwrap_or_default(),
            self.end_date.map(|d| d.to_string()).unwrap_or_default(),
            self.transaction_type
                .map(|t| t.as_str())
                .unwrap_or_default()
        )
    }
}

fn encode(key: &TransactionKey) -> Vec<u8> {
    format!("{}|{}", key.date, key.id).into_bytes()
}

fn decode(payload: &[u8]) -> Option<TransactionKey> {
    let text = std::str::from_utf8(payload).ok()?;
    let (date, id) = text.split_once('|')?;
    Some(TransactionKey {
        date: date.parse().ok()?,
        id: id.parse().ok()?,
    })
}

fn invalid_cursor() -> AppError {
    AppError::validation(
        "The cursor is invalid, was altered, or belongs to a query with other filters.",
        vec![FieldError::new(
            "cursor",
            "invalid_cursor",
            "use the next_cursor of a page of this same query",
        )],
    )
}

/// One transaction of the caller's (403 for another user's, 404 for none).
pub struct GetTransaction<'a> {
    pub principal: &'a Principal,
    pub transaction_id: Uuid,
}

impl GetTransaction<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Transaction, AppError> {
        match ports
            .portfolio
            .transactions
            .find(self.transaction_id)
            .await?
        {
            Some(t) if t.user_id == self.principal.user_id => Ok(t),
            Some(_) => Err(AppError::Forbidden(
                "This transaction belongs to another user".into(),
            )),
            None => Err(AppError::NotFound("Transaction not found".into())),
        }
    }
}
