//! Writes of more actions than one transaction takes: groups of actions that must commit
//! together (an item and its uniqueness marker), packed into TransactWriteItems of at
//! most 100, the events with the last.

use aws_sdk_dynamodb::types::TransactWriteItem;
use dashtam_domain::{StoreError, platform::events::DomainEvent};

use super::{
    outbox::event_items,
    table::{MAX_TX_ITEMS, Table},
};

/// Actions that commit together, and what it means when one of their conditions fails.
pub(crate) struct Group {
    pub items: Vec<TransactWriteItem>,
    pub failure: StoreError,
}

impl Group {
    pub(crate) fn one(item: TransactWriteItem, failure: StoreError) -> Self {
        Self {
            items: vec![item],
            failure,
        }
    }
}

/// Commits `body` and then `tail` with `events`: one TransactWriteItems when everything
/// fits (atomic), else several, `tail` and the events in the last one, so they are
/// written only once the rest is. A failed condition answers its group's `failure` (the
/// first in request order); chunks committed before it stay committed.
pub(crate) async fn commit_chunked(
    table: &Table,
    what: &'static str,
    mut body: Vec<Group>,
    tail: Vec<Group>,
    events: &[DomainEvent],
) -> Result<(), StoreError> {
    let event_count = event_items(table, events)?.len();
    let tail_size: usize = tail.iter().map(|g| g.items.len()).sum::<usize>() + event_count;
    if tail_size > MAX_TX_ITEMS {
        return Err(StoreError::Unavailable(format!(
            "dynamodb ({what}): {tail_size} final actions exceed one transaction"
        )));
    }
    // Fill the last transaction from the end of the body, then pack the rest in order.
    let mut room = MAX_TX_ITEMS - tail_size;
    let mut last: Vec<Group> = Vec::new();
    while let Some(g) = body.pop_if(|g| g.items.len() <= room) {
        room -= g.items.len();
        last.push(g);
    }
    last.reverse();
    last.extend(tail);
    let mut chunks: Vec<Vec<Group>> = Vec::new();
    let mut size = 0;
    for g in body {
        if chunks.is_empty() || size + g.items.len() > MAX_TX_ITEMS {
            chunks.push(Vec::new());
            size = 0;
        }
        size += g.items.len();
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(g);
        }
    }
    let count = chunks.len();
    for chunk in chunks {
        commit_groups(table, what, chunk, &[]).await?;
    }
    if count > 0 {
        tracing::info!(
            what,
            chunks = count + 1,
            "write split over several transactions"
        );
    }
    commit_groups(table, what, last, events).await
}

async fn commit_groups(
    table: &Table,
    what: &'static str,
    groups: Vec<Group>,
    events: &[DomainEvent],
) -> Result<(), StoreError> {
    let mut owner = Vec::new();
    let mut items = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        owner.extend(std::iter::repeat_n(i, g.items.len()));
        items.extend(g.items.iter().cloned());
    }
    if items.is_empty() && events.is_empty() {
        return Ok(());
    }
    match table.commit(what, items, events).await?.failed().first() {
        None => Ok(()),
        Some(i) => Err(owner.get(*i).and_then(|g| groups.get(*g)).map_or_else(
            || StoreError::Unavailable(format!("dynamodb ({what}): an event write failed")),
            |g| g.failure.clone(),
        )),
    }
}
