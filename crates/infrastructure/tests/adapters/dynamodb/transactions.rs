//! Transactions: batched, deduplicated inserts (counted calls), concurrent overlapping
//! syncs, and pages newest first with dates, cursors, offsets and a type filter.

use std::collections::{HashMap, HashSet};

use dashtam_domain::{
    platform::events::EventPayload,
    portfolio::{PageStart, Transaction, TransactionKey, TransactionQuery, TransactionType},
};
use uuid::Uuid;

use super::fin::{Fin, both, day, txn};
use crate::support::event;

both!(
    inserts_are_batched_and_deduplicated,
    concurrent_overlapping_inserts_store_each_once,
    pages_are_newest_first_and_exact
);

fn many(a: &dashtam_domain::portfolio::Account, ids: std::ops::Range<u32>) -> Vec<Transaction> {
    ids.map(|i| {
        let date = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        txn(
            a,
            &format!("20220304095318500::{i:04}"),
            &date,
            TransactionType::Trade,
        )
    })
    .collect()
}

async fn inserts_are_batched_and_deduplicated(fin: Fin) {
    let c = fin.connection().await;
    let a = fin.account(&c, "A").await;
    let batch = many(&a, 0..120);
    let done = event(
        Some(a.user_id),
        EventPayload::TransactionSyncSucceeded {
            connection_id: c.id,
            account_id: Some(a.id),
            transaction_count: 120,
            created: 120,
            unchanged: 0,
        },
    );
    // As a sync does it: the keys-only dedupe read, then the batched insert.
    fin.take_calls();
    assert!(fin.transactions.known_ids(a.id).await.unwrap().is_empty());
    let inserted = fin
        .transactions
        .insert_new(&a, &batch, std::slice::from_ref(&done))
        .await
        .unwrap();
    assert_eq!(inserted, 120);
    let calls = fin.take_calls();
    if fin.db.is_some() {
        // One keys-only Query, then ⌈120 / 49⌉ = 3 transactions: never one call per item.
        assert!(calls.len() <= 120usize.div_ceil(49) + 1, "{calls:?}");
        let writes = ["TransactWriteItems"; 3];
        assert_eq!(calls, [&["Query"][..], &writes[..]].concat());
    }
    assert!(fin.in_outbox(&done).await);
    let stored = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(stored.transaction_count, 120);
    let known = fin.transactions.known_ids(a.id).await.unwrap();
    assert_eq!(
        known,
        batch
            .iter()
            .map(|t| (t.provider_transaction_id.clone(), t.fingerprint()))
            .collect::<HashMap<_, _>>(),
        "each id with its row's fingerprint"
    );
    assert_eq!(
        fin.transactions.find(batch[7].id).await.unwrap(),
        Some(batch[7].clone())
    );
    assert_eq!(fin.transactions.find(Uuid::now_v7()).await.unwrap(), None);

    // The same provider transactions again (new ids, as a re-sync maps them) without
    // the dedupe read, as if another sync stored them meanwhile: the markers refuse
    // every one — per chunk one cancelled transaction and one marker read.
    fin.take_calls();
    let again = many(&a, 0..120);
    let inserted = fin.transactions.insert_new(&a, &again, &[]).await.unwrap();
    assert_eq!(inserted, 0);
    if fin.db.is_some() {
        let calls = fin.take_calls();
        let count = |op: &str| calls.iter().filter(|c| *c == op).count();
        assert_eq!(
            (count("TransactWriteItems"), count("BatchGetItem")),
            (3, 3),
            "{calls:?}"
        );
    }
    assert_eq!(fin.transactions.known_ids(a.id).await.unwrap().len(), 120);
    // Stored and new mixed in one chunk: the retry inserts exactly the new ones.
    let mixed = many(&a, 110..140);
    assert_eq!(
        fin.transactions.insert_new(&a, &mixed, &[]).await.unwrap(),
        20
    );
    let stored = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(stored.transaction_count, 140);
    // Duplicates inside one batch count once.
    let dup = [
        txn(&a, "new 1", "2025-03-01", TransactionType::Fee),
        txn(&a, "new 1", "2025-03-01", TransactionType::Fee),
    ];
    assert_eq!(fin.transactions.insert_new(&a, &dup, &[]).await.unwrap(), 1);
    let stored = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(stored.transaction_count, 141);
}

async fn concurrent_overlapping_inserts_store_each_once(fin: Fin) {
    let c = fin.connection().await;
    let a = fin.account(&c, "B").await;
    // Two syncs at once, overlapping on ids 40..80 (each with its own transaction ids).
    let (first, second) = (many(&a, 0..80), many(&a, 40..120));
    let (x, y) = tokio::join!(
        fin.transactions.insert_new(&a, &first, &[]),
        fin.transactions.insert_new(&a, &second, &[]),
    );
    assert_eq!(x.unwrap() + y.unwrap(), 120);
    let stored = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(stored.transaction_count, 120);
    let page = fin
        .transactions
        .page(
            a.id,
            &TransactionQuery {
                start_date: None,
                end_date: None,
                transaction_type: None,
                limit: 500,
                start: PageStart::Offset(0),
            },
        )
        .await
        .unwrap();
    let ids: HashSet<&str> = page
        .items
        .iter()
        .map(|t| t.provider_transaction_id.as_str())
        .collect();
    assert_eq!(
        (page.items.len(), ids.len()),
        (120, 120),
        "each provider id exactly once"
    );
    assert_eq!(fin.transactions.known_ids(a.id).await.unwrap().len(), 120);
}

fn query(limit: u32, start: PageStart) -> TransactionQuery {
    TransactionQuery {
        start_date: None,
        end_date: None,
        transaction_type: None,
        limit,
        start,
    }
}

async fn pages_are_newest_first_and_exact(fin: Fin) {
    let c = fin.connection().await;
    let a = fin.account(&c, "C").await;
    use TransactionType::{Fee, Income, Trade};
    let spec = [
        ("2025-01-01", Trade),
        ("2025-01-02", Fee),
        ("2025-01-02", Trade),
        ("2025-01-03", Trade),
        ("2025-01-05", Income),
        ("2025-01-05", Trade),
        ("2025-01-09", Trade),
    ];
    // Provider ids with spaces and `#`, as Schwab and Alpaca send them.
    let t: Vec<Transaction> = spec
        .iter()
        .enumerate()
        .map(|(i, (d, ty))| txn(&a, &format!("schwab_CUSIP_SYMBOL  2411#{i}"), d, *ty))
        .collect();
    // Inserted in shuffled order: the store orders them.
    let shuffled: Vec<Transaction> = [3, 0, 6, 1, 5, 2, 4]
        .iter()
        .map(|i| t[*i].clone())
        .collect();
    assert_eq!(
        fin.transactions
            .insert_new(&a, &shuffled, &[])
            .await
            .unwrap(),
        7
    );
    let aid = a.id;
    let page = |q: TransactionQuery| {
        let repo = fin.transactions.clone();
        async move { repo.page(aid, &q).await.unwrap() }
    };
    let ids = |items: &[Transaction]| items.iter().map(|x| x.id).collect::<Vec<_>>();
    let want = |idx: &[usize]| idx.iter().map(|i| t[*i].id).collect::<Vec<_>>();
    let after = |i: usize| {
        PageStart::After(TransactionKey {
            date: t[i].transaction_date,
            id: t[i].id,
        })
    };

    fin.take_calls();
    let p = page(query(3, PageStart::Offset(0))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[6, 5, 4]), true));
    assert_eq!(p.items[0], t[6], "stored as given");
    // A cursor position continues exactly, in one Query however deep.
    let p = page(query(3, after(4))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[3, 2, 1]), true));
    if fin.db.is_some() {
        assert_eq!(fin.take_calls(), ["Query", "Query"], "one Query per page");
    }
    // Exactly `limit` left: no further page.
    let p = page(query(3, after(3))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[2, 1, 0]), false));
    let p = page(query(3, after(0))).await;
    assert_eq!((ids(&p.items), p.has_more), (vec![], false));
    // Offsets.
    let p = page(query(2, PageStart::Offset(4))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[2, 1]), true));
    let p = page(query(2, PageStart::Offset(5))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[1, 0]), false));
    let p = page(query(2, PageStart::Offset(7))).await;
    assert_eq!((ids(&p.items), p.has_more), (vec![], false));

    // Inclusive dates; equal dates are one day; start after end is empty.
    let dated = |s: &str, e: &str, start| TransactionQuery {
        start_date: Some(day(s)),
        end_date: Some(day(e)),
        ..query(10, start)
    };
    let p = page(dated("2025-01-02", "2025-01-05", PageStart::Offset(0))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[5, 4, 3, 2, 1]), false));
    let p = page(dated("2025-01-02", "2025-01-02", PageStart::Offset(0))).await;
    assert_eq!(ids(&p.items), want(&[2, 1]));
    let p = page(dated("2025-01-06", "2025-01-02", PageStart::Offset(0))).await;
    assert!(p.items.is_empty() && !p.has_more);
    // A position newer than the range starts at the range's newest; older ends it.
    let p = page(dated("2025-01-02", "2025-01-05", after(6))).await;
    assert_eq!(ids(&p.items), want(&[5, 4, 3, 2, 1]));
    let p = page(dated("2025-01-02", "2025-01-05", after(0))).await;
    assert!(p.items.is_empty());
    let p = page(TransactionQuery {
        start_date: Some(day("2025-01-05")),
        ..query(10, PageStart::Offset(0))
    })
    .await;
    assert_eq!(ids(&p.items), want(&[6, 5, 4]));

    // Type filter, with cursors and exact has_more.
    let trades = |start| TransactionQuery {
        transaction_type: Some(Trade),
        ..query(2, start)
    };
    let p = page(trades(PageStart::Offset(0))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[6, 5]), true));
    let p = page(trades(after(5))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[3, 2]), true));
    let p = page(trades(after(2))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[0]), false));
    let p = page(trades(PageStart::Offset(3))).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[2, 0]), false));
    let fees = TransactionQuery {
        transaction_type: Some(Fee),
        ..query(1, PageStart::Offset(0))
    };
    let p = page(fees).await;
    assert_eq!((ids(&p.items), p.has_more), (want(&[1]), false));

    // Another account's partition is its own.
    let other = fin.account(&c, "D").await;
    assert!(
        fin.transactions
            .page(other.id, &query(5, PageStart::Offset(0)))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
