//! What the scheduled jobs read: the index of scheduled connections (active, expired,
//! revoked, failed — never pending or disconnected; GSI2 Queries, no Scan), the grant
//! notice mark, and the last snapshot at or before a moment (net worth on a past day).

use chrono::{Duration, Utc};
use dashtam_domain::{
    portfolio::{BalanceSnapshot, SnapshotSource},
    providers::{ConnectionStatus, ProviderConnection, ProviderSlug},
};
use uuid::Uuid;

use super::fin::{Fin, both, connection};

both!(
    scheduled_connections_come_from_the_index,
    the_last_snapshot_at_a_moment
);

async fn scheduled_connections_come_from_the_index(fin: Fin) {
    let repo = &fin.connections;
    let now = Utc::now();
    let mut ids = Vec::new();
    let mut owners = Vec::new();
    for _ in 0..6 {
        let c = connection(Uuid::now_v7(), now);
        repo.create(&c, &[]).await.unwrap();
        ids.push(c.id);
        owners.push(c.user_id);
    }
    let pending = ProviderConnection::pending(
        Uuid::now_v7(),
        Uuid::now_v7(),
        ProviderSlug::Schwab,
        None,
        now,
    );
    repo.create(&pending, &[]).await.unwrap();
    // One expires (and is noticed first: the mark round-trips), one is disconnected.
    let mut expiring = repo.find(owners[0], ids[0]).await.unwrap().unwrap();
    expiring.mark_grant_expiry_notified(now).unwrap();
    repo.save(&expiring, &[]).await.unwrap();
    let mut expired = repo
        .find(expiring.user_id, expiring.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expired.grant_expiry_notified_at, Some(now));
    expired.expire(now).unwrap();
    repo.save(&expired, &[]).await.unwrap();
    let mut gone = repo.find(owners[1], ids[1]).await.unwrap().unwrap();
    gone.disconnect(now);
    repo.save(&gone, &[]).await.unwrap();
    fin.take_calls();

    let listed = repo.list_scheduled().await.unwrap();
    let calls = fin.take_calls();
    if fin.db.is_some() {
        assert_eq!(
            calls, ["Query"; 4],
            "one Query per index partition, no Scan"
        );
    }
    let mut found: Vec<(Uuid, ConnectionStatus)> =
        listed.iter().map(|c| (c.id, c.status)).collect();
    found.sort();
    let mut want: Vec<(Uuid, ConnectionStatus)> = ids[2..]
        .iter()
        .map(|id| (*id, ConnectionStatus::Active))
        .chain([(ids[0], ConnectionStatus::Expired)])
        .collect();
    want.sort();
    assert_eq!(found, want, "pending and disconnected ones are not indexed");
    // The index holds whole items: what the jobs act on needs no second read.
    let one = listed.iter().find(|c| c.id == ids[2]).unwrap();
    assert_eq!(
        Some(one),
        repo.find(one.user_id, one.id).await.unwrap().as_ref()
    );
}

async fn the_last_snapshot_at_a_moment(fin: Fin) {
    let c = fin.connection().await;
    let account = fin.account(&c, "11110001").await;
    let t0 = Utc::now() - Duration::days(3);
    let snaps: Vec<BalanceSnapshot> = (0..3)
        .map(|i| {
            let mut a = account.clone();
            a.balance += rust_decimal::Decimal::from(i);
            BalanceSnapshot::capture(
                Uuid::now_v7(),
                &a,
                None,
                SnapshotSource::ScheduledSync,
                None,
                t0 + Duration::days(i),
            )
        })
        .collect();
    fin.snapshots.append(&snaps, &[]).await.unwrap();
    fin.take_calls();
    let at = |t| fin.snapshots.latest_at(account.id, t);
    assert_eq!(at(t0 - Duration::nanoseconds(1)).await.unwrap(), None);
    assert_eq!(at(t0).await.unwrap().as_ref(), Some(&snaps[0]), "inclusive");
    assert_eq!(
        at(t0 + Duration::days(1) + Duration::hours(1))
            .await
            .unwrap()
            .as_ref(),
        Some(&snaps[1])
    );
    assert_eq!(at(Utc::now()).await.unwrap().as_ref(), Some(&snaps[2]));
    if fin.db.is_some() {
        assert_eq!(fin.take_calls(), ["Query"; 4], "one Query each");
    }
}
