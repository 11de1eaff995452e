//! Balance snapshots: latest, inclusive ranges oldest first, recent newest first, and
//! the `source` filter.

use chrono::{Duration, Utc};
use dashtam_domain::portfolio::{BalanceSnapshot, SnapshotSource};

use super::fin::{Fin, balance_event, both, snapshot};

both!(snapshots_in_time_order_with_source_filter);

async fn snapshots_in_time_order_with_source_filter(fin: Fin) {
    let c = fin.connection().await;
    let a = fin.account(&c, "A").await;
    assert_eq!(fin.snapshots.latest(a.id).await.unwrap(), None);
    let t0 = Utc::now();
    let at = |i: i64| t0 + Duration::minutes(i);
    let s: Vec<BalanceSnapshot> = (0..5)
        .map(|i| {
            let src = if i % 2 == 0 {
                SnapshotSource::AccountSync
            } else {
                SnapshotSource::HoldingsSync
            };
            snapshot(&a, src, at(i))
        })
        .collect();
    let events = [balance_event(&a)];
    // Out of order on purpose: the key orders them.
    let shuffled = [
        s[3].clone(),
        s[0].clone(),
        s[4].clone(),
        s[1].clone(),
        s[2].clone(),
    ];
    fin.snapshots.append(&shuffled, &events).await.unwrap();
    assert!(fin.in_outbox(&events[0]).await);

    assert_eq!(
        fin.snapshots.latest(a.id).await.unwrap(),
        Some(s[4].clone())
    );
    let ids = |v: Vec<BalanceSnapshot>| v.into_iter().map(|x| x.id).collect::<Vec<_>>();
    let want = |idx: &[usize]| idx.iter().map(|i| s[*i].id).collect::<Vec<_>>();
    // Both ends inclusive, oldest first.
    assert_eq!(
        ids(fin.snapshots.range(a.id, at(1), at(3), None).await.unwrap()),
        want(&[1, 2, 3])
    );
    assert_eq!(
        ids(fin.snapshots.range(a.id, at(2), at(2), None).await.unwrap()),
        want(&[2])
    );
    assert!(
        fin.snapshots
            .range(a.id, at(3), at(1), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(fin
            .snapshots
            .range(a.id, at(0), at(4), Some(SnapshotSource::AccountSync))
            .await
            .unwrap()),
        want(&[0, 2, 4])
    );
    // Newest first.
    assert_eq!(
        ids(fin.snapshots.recent(a.id, 2, None).await.unwrap()),
        want(&[4, 3])
    );
    assert_eq!(
        ids(fin
            .snapshots
            .recent(a.id, 2, Some(SnapshotSource::HoldingsSync))
            .await
            .unwrap()),
        want(&[3, 1])
    );
    assert_eq!(
        ids(fin.snapshots.recent(a.id, 10, None).await.unwrap()).len(),
        5
    );
    assert!(
        fin.snapshots
            .recent(a.id, 3, Some(SnapshotSource::FileImport))
            .await
            .unwrap()
            .is_empty()
    );
    let stored = fin.snapshots.range(a.id, at(0), at(0), None).await.unwrap();
    assert_eq!(stored, [s[0].clone()], "stored exactly");
}
