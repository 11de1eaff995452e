//! Account syncs: creation guarded by the `(connection, provider account id)` marker,
//! versioned updates, the connection saved with them, chunking beyond one transaction.

use chrono::Utc;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    portfolio::{Account, AccountSyncWrite, SnapshotSource},
    providers::ProviderConnection,
};
use uuid::Uuid;

use super::fin::{Fin, account, balance_event, both, dec, snapshot};

both!(
    account_sync_creates_updates_and_checks_versions,
    concurrent_creations_of_one_account_let_one_win,
    large_account_syncs_are_chunked
);

async fn account_sync_creates_updates_and_checks_versions(fin: Fin) {
    let c = fin.connection().await;
    // Provider ids with `#`, `::` and spaces still make distinct, exact keys.
    let a = account(&c, "20220304095318500::uuid#1");
    let b = account(&c, "schwab 1234 5678");
    let snaps = [snapshot(&a, SnapshotSource::InitialConnection, Utc::now())];
    let events = [balance_event(&a)];
    let mut synced = c.clone();
    synced.record_sync(Utc::now()).unwrap();
    fin.accounts
        .commit_sync(AccountSyncWrite {
            connection: &synced,
            created: &[a.clone(), b.clone()],
            updated: &[],
            snapshots: &snaps,
            events: &events,
        })
        .await
        .unwrap();
    assert!(fin.in_outbox(&events[0]).await);
    let listed = fin.accounts.list_for_user(c.user_id).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| x.id).collect::<Vec<_>>(),
        [a.id, b.id],
        "markers are not listed"
    );
    let stored = fin.accounts.find(c.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        Account {
            version: 1,
            ..a.clone()
        }
    );
    assert_eq!(fin.accounts.owner_of(a.id).await.unwrap(), Some(c.user_id));
    assert_eq!(fin.accounts.owner_of(Uuid::now_v7()).await.unwrap(), None);
    assert_eq!(
        fin.snapshots.latest(a.id).await.unwrap(),
        Some(snaps[0].clone())
    );
    let conn = fin
        .connections
        .find(c.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((conn.version, conn.last_sync_at), (2, synced.last_sync_at));

    // The stale connection copy fails the whole write: nothing of it is stored.
    let mut changed = stored.clone();
    changed.balance = dec("99.99");
    changed.available_balance = None;
    let fresh = account(&c, "third");
    assert_eq!(
        sync(
            &fin,
            &synced,
            std::slice::from_ref(&fresh),
            std::slice::from_ref(&changed)
        )
        .await,
        Err(StoreError::Conflict(Conflict::StaleConnection))
    );
    assert_eq!(fin.accounts.find(c.user_id, fresh.id).await.unwrap(), None);
    // With the fresh connection it commits; the account copy read before is then stale.
    sync(&fin, &conn, &[], std::slice::from_ref(&changed))
        .await
        .unwrap();
    let saved = fin.accounts.find(c.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(
        (saved.version, saved.balance, saved.available_balance),
        (2, dec("99.99"), None)
    );
    let conn = fin
        .connections
        .find(c.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sync(&fin, &conn, &[], std::slice::from_ref(&changed)).await,
        Err(StoreError::Conflict(Conflict::StaleAccount))
    );
    // save_all: deactivation on disconnect, with its version check.
    let mut off = saved.clone();
    off.is_active = false;
    fin.accounts
        .save_all(std::slice::from_ref(&off), &[])
        .await
        .unwrap();
    assert_eq!(
        fin.accounts.save_all(&[off], &[]).await,
        Err(StoreError::Conflict(Conflict::StaleAccount))
    );
    assert!(
        !fin.accounts
            .find(c.user_id, a.id)
            .await
            .unwrap()
            .unwrap()
            .is_active
    );
}

async fn sync(
    fin: &Fin,
    connection: &ProviderConnection,
    created: &[Account],
    updated: &[Account],
) -> Result<(), StoreError> {
    fin.accounts
        .commit_sync(AccountSyncWrite {
            connection,
            created,
            updated,
            snapshots: &[],
            events: &[],
        })
        .await
}

async fn concurrent_creations_of_one_account_let_one_win(fin: Fin) {
    let c = fin.connection().await;
    // Two syncs of one connection at once, each creating the same provider account.
    let (x, y) = (account(&c, "ACC-1"), account(&c, "ACC-1"));
    let (rx, ry) = tokio::join!(
        fin.accounts.commit_sync(AccountSyncWrite {
            connection: &c,
            created: std::slice::from_ref(&x),
            updated: &[],
            snapshots: &[],
            events: &[]
        }),
        fin.accounts.commit_sync(AccountSyncWrite {
            connection: &c,
            created: std::slice::from_ref(&y),
            updated: &[],
            snapshots: &[],
            events: &[]
        }),
    );
    let results = [rx, ry];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.contains(&Err(StoreError::AlreadyExists(Existing::Account))),
        "{results:?}"
    );
    let stored = fin.accounts.list_for_user(c.user_id).await.unwrap();
    assert_eq!(stored.len(), 1);
    let winner = if results[0].is_ok() { &x } else { &y };
    assert_eq!(stored[0].id, winner.id, "the winner's account survives");
}

async fn large_account_syncs_are_chunked(fin: Fin) {
    let c = fin.connection().await;
    fin.take_calls();
    // 60 accounts are 120 actions: more than one transaction takes.
    let created: Vec<_> = (0..60).map(|i| account(&c, &format!("acct {i}"))).collect();
    let events = [balance_event(&created[0])];
    fin.accounts
        .commit_sync(AccountSyncWrite {
            connection: &c,
            created: &created,
            updated: &[],
            snapshots: &[],
            events: &events,
        })
        .await
        .unwrap();
    assert_eq!(
        fin.accounts.list_for_user(c.user_id).await.unwrap().len(),
        60
    );
    assert!(fin.in_outbox(&events[0]).await);
    let writes = fin
        .take_calls()
        .iter()
        .filter(|op| *op == "TransactWriteItems")
        .count();
    if fin.db.is_some() {
        assert_eq!(writes, 2, "two transactions");
    }
    // Again: the markers refuse every one.
    let again: Vec<_> = created
        .iter()
        .map(|a| account(&c, &a.provider_account_id))
        .collect();
    let conn = fin
        .connections
        .find(c.user_id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        fin.accounts
            .commit_sync(AccountSyncWrite {
                connection: &conn,
                created: &again[..10],
                updated: &[],
                snapshots: &[],
                events: &[]
            })
            .await,
        Err(StoreError::AlreadyExists(Existing::Account))
    );
}
