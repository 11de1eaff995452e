//! Queries that read until enough items passed a filter.

use dashtam_domain::StoreError;

use super::{
    expr::QuerySpec,
    table::{Item, Table},
};

/// Items examined per Query while a FilterExpression drops some: DynamoDB applies
/// `Limit` before the filter, so a small limit would cost many calls.
const FILTERED_PAGE: usize = 100;

/// Runs `q` from `start` (an ExclusiveStartKey) until `want` items passed `filter` or the
/// range ends; at most `want` raw items, in Query order. Without a filter the first Query
/// asks for exactly `want`, so it is one call when the range holds that many.
pub(crate) async fn collect(
    table: &Table,
    what: &'static str,
    q: &QuerySpec,
    filter: Option<&'static str>,
    want: usize,
    mut start: Option<Item>,
) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    while out.len() < want {
        let need = want - out.len();
        // Unbounded reads leave the page size to DynamoDB (1 MB).
        let limit = match (want, filter) {
            (usize::MAX, _) => None,
            (_, Some(_)) => Some(need.max(FILTERED_PAGE)),
            (_, None) => Some(need),
        };
        let (items, last) = table
            .query_page(what, q, filter, limit, start.take())
            .await?;
        out.extend(items);
        match last {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => break,
        }
    }
    out.truncate(want);
    Ok(out)
}
