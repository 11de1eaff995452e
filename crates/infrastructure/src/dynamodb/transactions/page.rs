//! One page of an account's transactions, newest first: one Query on the account's
//! partition, `SK BETWEEN TXN#<start> AND TXN#<end>~`, descending, `Limit = limit + 1`
//! (the extra item makes `has_more` exact). A cursor position becomes the
//! ExclusiveStartKey, so a deep page costs the same one Query; an offset reads past the
//! skipped items. A type filter is a FilterExpression, applied after `Limit`, so a
//! filtered page may take more than one Query.

use dashtam_domain::{
    StoreError,
    portfolio::{PageStart, TransactionPage, TransactionQuery},
};
use uuid::Uuid;

use super::items::TransactionItem;
use crate::dynamodb::{
    expr::{Expr, QuerySpec},
    keys::{account_pk, key, txn_sk, txn_sk_bounds},
    paging::collect,
    table::{Table, from_item},
};

pub(super) async fn page(
    table: &Table,
    account_id: Uuid,
    q: &TransactionQuery,
) -> Result<TransactionPage, StoreError> {
    let empty = TransactionPage {
        items: Vec::new(),
        has_more: false,
    };
    let (lo, hi) = txn_sk_bounds(q.start_date, q.end_date);
    if lo > hi {
        return Ok(empty);
    }
    let (skip, start) = match &q.start {
        PageStart::Offset(n) => (usize::try_from(*n).unwrap_or(usize::MAX), None),
        PageStart::After(k) => {
            let sk = txn_sk(k.date, k.id);
            if sk < lo {
                // Everything in range is newer than the position: nothing follows it.
                return Ok(empty);
            }
            // DynamoDB refuses a start key outside the key condition; above the range,
            // the whole range follows the position.
            (0, (sk <= hi).then(|| key(account_pk(account_id), &sk)))
        }
    };
    let mut expr = Expr::new()
        .s(":pk", account_pk(account_id))
        .s(":lo", lo)
        .s(":hi", hi);
    if let Some(t) = q.transaction_type {
        expr = expr.name("#tt", "transaction_type").s(":tt", t.as_str());
    }
    let spec = QuerySpec {
        index: None,
        key_condition: "PK = :pk AND SK BETWEEN :lo AND :hi",
        expr,
        forward: false,
        limit: None,
    };
    let filter = q.transaction_type.map(|_| "#tt = :tt");
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let want = skip.saturating_add(limit).saturating_add(1);
    let mut items = collect(table, "transaction", &spec, filter, want, start)
        .await?
        .into_iter()
        .skip(skip)
        .map(|i| {
            from_item::<TransactionItem>("transaction", i).map(TransactionItem::into_transaction)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = items.len() > limit;
    items.truncate(limit);
    Ok(TransactionPage { items, has_more })
}
