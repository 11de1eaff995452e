//! Syncing accounts, transactions and holdings: idempotent, guarded, concurrent-safe,
//! refreshing tokens before they lapse, and honest about provider failures.

use std::sync::atomic::Ordering;

use dashtam_application::{
    AppError,
    dto::Principal,
    portfolio::{
        commands::{SyncHoldings, SyncTransactions},
        queries::{GetAccount, ListAccounts, ListHoldings, ListTransactions, SnapshotHistory},
    },
    providers::queries::GetConnection,
};
use dashtam_domain::{
    portfolio::{Account, SnapshotSource},
    providers::{ConnectionStatus, ProviderError},
};
use uuid::Uuid;

use crate::{brokerage::d, finance::Finance, support::Harness};

async fn accounts(f: &Finance, user: &Principal) -> Vec<Account> {
    ListAccounts {
        principal: user,
        connection_id: None,
        active_only: false,
        account_type: None,
    }
    .execute(&f.ports)
    .await
    .unwrap()
    .accounts
}

fn sync_transactions(user: &Principal, connection: Uuid) -> SyncTransactions {
    SyncTransactions {
        principal: user.clone(),
        connection_id: connection,
        account_id: None,
        start_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
        end_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
        force: false,
        context: Harness::ctx(),
    }
}

fn sync_holdings(user: &Principal, account: Uuid, force: bool) -> SyncHoldings {
    SyncHoldings {
        principal: user.clone(),
        account_id: account,
        force,
        context: Harness::ctx(),
    }
}

#[tokio::test]
async fn an_account_sync_upserts_and_a_forced_resync_with_nothing_new_is_unchanged() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    let first = f.sync_accounts(&user, connection.id, false).await.unwrap();
    assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
    let again = f.sync_accounts(&user, connection.id, true).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    f.broker.accounts.lock().unwrap()[0].balance = d("2000.00");
    let moved = f.sync_accounts(&user, connection.id, true).await.unwrap();
    assert_eq!((moved.created, moved.updated, moved.unchanged), (0, 1, 1));
    let list = ListAccounts {
        principal: &user,
        connection_id: None,
        active_only: false,
        account_type: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(list.total_count, 2);
    assert_eq!(
        list.total_balance_by_currency
            .values()
            .copied()
            .sum::<rust_decimal::Decimal>(),
        d("2250.00")
    );
    // One snapshot per account per sync, the first marked as the initial connection.
    let account = list
        .accounts
        .iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    let history = SnapshotHistory {
        principal: &user,
        account_id: account.id,
        range: None,
        limit: 10,
        source: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    let sources: Vec<_> = history.snapshots.iter().map(|s| s.source).collect();
    assert_eq!(
        sources,
        [
            SnapshotSource::AccountSync,
            SnapshotSource::AccountSync,
            SnapshotSource::InitialConnection
        ]
    );
    assert_eq!(history.snapshots[0].change_amount, Some(d("999.50")));
    let names = f.recorded_names();
    for name in [
        "AccountSyncAttempted",
        "AccountSyncSucceeded",
        "AccountBalanceUpdated",
        "PortfolioNetWorthRecalculated",
    ] {
        assert!(names.contains(&name.to_owned()), "{name}");
    }
}

#[tokio::test]
async fn within_five_minutes_exactly_one_of_two_syncs_runs() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    let (a, b) = tokio::join!(
        f.sync_accounts(&user, connection.id, false),
        f.sync_accounts(&user, connection.id, false)
    );
    let too_soon = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Err(AppError::TooSoon { .. })))
        .count();
    assert_eq!(
        (u8::from(a.is_ok()) + u8::from(b.is_ok()), too_soon),
        (1, 1),
        "{a:?} {b:?}"
    );
    assert!(matches!(
        f.sync_accounts(&user, connection.id, false).await,
        Err(AppError::TooSoon {
            retry_after: 300,
            ..
        })
    ));
    f.clock.advance(chrono::Duration::minutes(5));
    f.sync_accounts(&user, connection.id, false).await.unwrap();
}

#[tokio::test]
async fn concurrent_forced_syncs_create_each_account_and_transaction_once() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    let (a, b) = tokio::join!(
        f.sync_accounts(&user, connection.id, true),
        f.sync_accounts(&user, connection.id, true)
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(accounts(&f, &user).await.len(), 2);

    let (a, b) = tokio::join!(
        sync_transactions(&user, connection.id).execute(&f.ports),
        sync_transactions(&user, connection.id).execute(&f.ports)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.created + b.created, 30, "{a:?} {b:?}");
    let repeat = sync_transactions(&user, connection.id)
        .execute(&f.ports)
        .await
        .unwrap();
    assert_eq!((repeat.created, repeat.unchanged), (0, 30));
    let account = accounts(&f, &user)
        .await
        .into_iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    assert_eq!(account.transaction_count, 30);
}

#[tokio::test]
async fn transactions_page_newest_first_by_offset_and_by_cursor() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    sync_transactions(&user, connection.id)
        .execute(&f.ports)
        .await
        .unwrap();
    let account = accounts(&f, &user)
        .await
        .into_iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    let page = |cursor: Option<String>, offset| ListTransactions {
        principal: &user,
        account_id: account.id,
        start_date: None,
        end_date: None,
        transaction_type: None,
        limit: 10,
        offset,
        cursor,
    };
    let (mut seen, mut cursor, mut pages) = (Vec::new(), None, 0);
    loop {
        let p = page(cursor.take(), 0).execute(&f.ports).await.unwrap();
        assert_eq!(p.total_count, 30);
        pages += 1;
        seen.extend(p.transactions.iter().map(|t| (t.transaction_date, t.id)));
        assert_eq!(p.has_more, p.next_cursor.is_some());
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(
        (pages, seen.len()),
        (3, 30),
        "exactly three pages, has_more false on the last"
    );
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
    let by_offset = page(None, 20).execute(&f.ports).await.unwrap();
    assert_eq!(by_offset.transactions.len(), 10);
    assert!(!by_offset.has_more);
    let forged = page(Some("not-a-cursor".into()), 0).execute(&f.ports).await;
    assert!(matches!(forged, Err(AppError::Validation { .. })));
    let reversed = ListTransactions {
        start_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
        end_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        ..page(None, 0)
    }
    .execute(&f.ports)
    .await;
    assert!(matches!(reversed, Err(AppError::Validation { .. })));
}

#[tokio::test]
async fn holdings_sync_upserts_deactivates_and_has_its_own_guard() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    let account = accounts(&f, &user)
        .await
        .into_iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    // Right after an account sync: not "recently synced" (the guard is its own).
    let first = sync_holdings(&user, account.id, false)
        .execute(&f.ports)
        .await
        .unwrap();
    assert_eq!((first.created, first.deactivated), (2, 0));
    assert!(matches!(
        sync_holdings(&user, account.id, false)
            .execute(&f.ports)
            .await,
        Err(AppError::TooSoon { .. })
    ));
    f.broker
        .holdings
        .lock()
        .unwrap()
        .get_mut("11110001")
        .unwrap()
        .pop();
    let second = sync_holdings(&user, account.id, true)
        .execute(&f.ports)
        .await
        .unwrap();
    assert_eq!(
        (
            second.created,
            second.updated,
            second.unchanged,
            second.deactivated
        ),
        (0, 0, 1, 1)
    );
    let list = ListHoldings {
        principal: &user,
        account_id: Some(account.id),
        active_only: true,
        asset_type: None,
        symbol: None,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(list.active_count, 1);
    assert_eq!(
        list.total_unrealized_gain_loss_by_currency.values().next(),
        Some(&d("250"))
    );
    let snapshot = SnapshotHistory {
        principal: &user,
        account_id: account.id,
        range: None,
        limit: 1,
        source: Some(SnapshotSource::HoldingsSync),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(snapshot.snapshots[0].holdings_value, Some(d("1750")));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_before_the_sync() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.clock.advance(chrono::Duration::minutes(40));
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    assert_eq!(f.broker.refreshes.load(Ordering::SeqCst), 1);
    // A token the provider refuses mid-way is refreshed once and the call repeated.
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::TokenExpired);
    f.sync_accounts(&user, connection.id, true).await.unwrap();
    assert_eq!(f.broker.refreshes.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_refresh_expires_the_connection_and_the_sync_says_what_to_do() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.clock.advance(chrono::Duration::minutes(40));
    f.broker
        .refusals
        .lock()
        .unwrap()
        .push_back(ProviderError::Rejected("invalid_grant".into()));
    let sync = f.sync_accounts(&user, connection.id, false).await;
    assert!(
        matches!(sync, Err(AppError::Conflict(ref m)) if m.contains("Reconnect")),
        "{sync:?}"
    );
    let c = GetConnection {
        principal: &user,
        connection_id: connection.id,
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(
        (c.status, c.needs_reauthentication),
        (ConnectionStatus::Expired, true)
    );
    assert!(
        f.recorded_names()
            .contains(&"ProviderTokenRefreshFailed".to_owned())
    );
    assert_eq!(
        f.broker.data_calls.load(Ordering::SeqCst),
        0,
        "no data call with a dead token"
    );
}

#[tokio::test]
async fn a_rate_limited_provider_is_a_503_and_the_next_sync_need_not_wait() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::RateLimited {
            retry_after: Some(std::time::Duration::from_secs(7)),
        });
    let busy = f.sync_accounts(&user, connection.id, false).await;
    assert!(
        matches!(busy, Err(AppError::ProviderBusy { retry_after: 7, .. })),
        "{busy:?}"
    );
    assert!(f.recorded_names().contains(&"AccountSyncFailed".to_owned()));
    f.broker
        .failures
        .lock()
        .unwrap()
        .push_back(ProviderError::Unavailable("500".into()));
    let down = f.sync_accounts(&user, connection.id, false).await;
    assert!(
        matches!(down, Err(AppError::Upstream(_))),
        "a failed sync released its claim: {down:?}"
    );
    assert!(f.sync_accounts(&user, connection.id, false).await.is_ok());
    assert!(
        accounts(&f, &user).await.len() == 2,
        "nothing half-written by the failures"
    );
}

#[tokio::test]
async fn another_users_account_is_forbidden() {
    let f = Finance::new();
    let (user, connection) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, connection.id, false).await.unwrap();
    let account = accounts(&f, &user).await.remove(0);
    let eve = f.user("eve@example.com").await;
    let get = GetAccount {
        principal: &eve,
        account_id: account.id,
    }
    .execute(&f.ports)
    .await;
    assert!(matches!(get, Err(AppError::Forbidden(_))));
    let none = GetAccount {
        principal: &eve,
        account_id: Uuid::now_v7(),
    }
    .execute(&f.ports)
    .await;
    assert!(matches!(none, Err(AppError::NotFound(_))));
    let holdings = sync_holdings(&eve, account.id, true)
        .execute(&f.ports)
        .await;
    assert!(matches!(holdings, Err(AppError::Forbidden(_))));
}
