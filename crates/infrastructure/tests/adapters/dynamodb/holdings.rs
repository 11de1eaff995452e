//! Holdings syncs: creation unique per `(account, provider holding id)`, versioned
//! updates and deactivation, the account saved with them (its count untouched).

use chrono::Utc;
use dashtam_domain::{
    Conflict, Existing, StoreError,
    portfolio::{Account, Holding, HoldingsSyncWrite, SnapshotSource, TransactionType},
};

use super::fin::{Fin, both, dec, holding, snapshot, txn};

both!(holdings_sync_per_account_and_user);

async fn sync(
    fin: &Fin,
    account: &Account,
    created: &[Holding],
    updated: &[Holding],
) -> Result<(), StoreError> {
    let snap = snapshot(account, SnapshotSource::HoldingsSync, Utc::now());
    fin.holdings
        .commit_sync(HoldingsSyncWrite {
            account,
            created,
            updated,
            snapshot: &snap,
            events: &[],
        })
        .await
}

async fn holdings_sync_per_account_and_user(fin: Fin) {
    let c = fin.connection().await;
    let a = fin.account(&c, "A").await;
    let b = fin.account(&c, "B").await;
    // Transactions move the count; a holdings sync's account save must not undo that.
    let t = [txn(&a, "t1", "2025-01-01", TransactionType::Trade)];
    fin.transactions.insert_new(&a, &t, &[]).await.unwrap();

    let option = holding(&a, "schwab_CUSIP_SYMBOL  241115C00210000");
    let equity = holding(&a, "AAPL");
    let mut synced = a.clone();
    synced.holdings_synced_at = Some(Utc::now());
    sync(&fin, &synced, &[option.clone(), equity.clone()], &[])
        .await
        .unwrap();
    sync(&fin, &b, &[holding(&b, "AAPL")], &[]).await.unwrap();

    let listed = fin
        .holdings
        .list_for_account(c.user_id, a.id)
        .await
        .unwrap();
    assert_eq!(
        listed,
        [
            Holding {
                version: 1,
                ..equity.clone()
            },
            Holding {
                version: 1,
                ..option.clone()
            }
        ]
    );
    assert_eq!(
        fin.holdings.list_for_user(c.user_id).await.unwrap().len(),
        3
    );
    assert!(
        fin.holdings
            .list_for_account(uuid::Uuid::now_v7(), a.id)
            .await
            .unwrap()
            .is_empty(),
        "another user's"
    );
    let stored = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.transaction_count), (2, 1));
    assert_eq!(stored.holdings_synced_at, synced.holdings_synced_at);
    let snaps = fin
        .snapshots
        .recent(a.id, 10, Some(SnapshotSource::HoldingsSync))
        .await
        .unwrap();
    assert_eq!(snaps.len(), 1);

    // A concurrent sync created it first.
    assert_eq!(
        sync(&fin, &stored, &[holding(&a, "AAPL")], &[]).await,
        Err(StoreError::AlreadyExists(Existing::Holding))
    );
    // Update one, deactivate the other.
    let (mut changed, mut closed) = (listed[1].clone(), listed[0].clone());
    changed.quantity = dec("-2");
    changed.current_price = Some(dec("3.1"));
    closed.deactivate(Utc::now());
    sync(&fin, &stored, &[], &[changed.clone(), closed.clone()])
        .await
        .unwrap();
    let listed = fin
        .holdings
        .list_for_account(c.user_id, a.id)
        .await
        .unwrap();
    assert_eq!(
        listed[1],
        Holding {
            version: 2,
            ..changed.clone()
        }
    );
    assert!(!listed[0].is_active);
    // Stale copies: the holding's version, then the account's.
    let fresh = fin.accounts.find(a.user_id, a.id).await.unwrap().unwrap();
    assert_eq!(
        sync(&fin, &fresh, &[], std::slice::from_ref(&changed)).await,
        Err(StoreError::Conflict(Conflict::StaleHolding))
    );
    assert_eq!(
        sync(&fin, &stored, &[], &[listed[1].clone()]).await,
        Err(StoreError::Conflict(Conflict::StaleAccount))
    );
    assert_eq!(
        fin.holdings
            .list_for_account(c.user_id, a.id)
            .await
            .unwrap(),
        listed,
        "nothing written"
    );
}
