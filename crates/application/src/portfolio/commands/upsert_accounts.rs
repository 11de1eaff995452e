//! Upserting a connection's accounts from what a source reported (a provider's sync, a
//! statement file), with a snapshot per account and the balance and net-worth events,
//! in one commit.

use std::collections::HashMap;

use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::EventPayload,
    portfolio::{
        Account, AccountSyncWrite, BalanceSnapshot, Change, MONEY_DP, SnapshotSource, fixed,
    },
    providers::{ProviderAccount, ProviderConnection},
};
use uuid::Uuid;

use super::SyncReport;
use crate::{AppError, EventBatch, Ports, portfolio::net_worth::net_worth_events, retry::Attempt};

/// One upsert: what was reported and how to record it.
pub(crate) struct Upsert<'a> {
    pub connection: &'a ProviderConnection,
    pub reported: &'a [ProviderAccount],
    /// Provider ids whose balance the source did not report: their stored balance stands
    /// (the caller reports it unchanged) and no snapshot is taken.
    pub without_balance: &'a [&'a str],
    /// The snapshots' source for a new account, and for a known one.
    pub sources: (SnapshotSource, SnapshotSource),
    /// The success event, from the counts, committed with the accounts.
    pub succeeded: Option<&'a (dyn Fn(&SyncReport) -> EventPayload + Sync)>,
}

/// Commits the upsert; answers the counts and every account reported, as stored.
/// `Attempt::Conflicted` when another writer got in first: read again and retry.
pub(crate) async fn upsert_accounts(
    ports: &Ports,
    upsert: &Upsert<'_>,
    events: &mut EventBatch,
) -> Result<(SyncReport, Vec<Account>), Attempt<AppError>> {
    let Upsert {
        connection,
        reported,
        ..
    } = *upsert;

    let now = ports.clock.now();
    let user_id = connection.user_id;
    let before = ports
        .portfolio
        .accounts
        .list_for_user(user_id)
        .await
        .map_err(AppError::from)?;
    let mut by_provider_id: HashMap<&str, &Account> = before
        .iter()
        .filter(|a| a.connection_id == connection.id)
        .map(|a| (a.provider_account_id.as_str(), a))
        .collect();
    let (mut created, mut updated, mut touched) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = SyncReport::default();
    let mut balance_events = Vec::new();
    for data in reported {
        let (account, change) = match by_provider_id.remove(data.provider_account_id.as_str()) {
            Some(existing) => {
                let mut account = existing.clone();
                match account.apply(data, now) {
                    Ok(change) => (account, change),
                    Err(e) => {
                        tracing::warn!(account = %existing.id, error = %e, "account not synced");
                        report.errors += 1;
                        continue;
                    }
                }
            }
            None => (
                Account::open(Uuid::now_v7(), user_id, connection.id, data, now),
                Change::Created,
            ),
        };
        let previous = before
            .iter()
            .find(|a| a.id == account.id)
            .map(|a| a.balance);
        if previous != Some(account.balance) && !(previous.is_none() && account.balance.is_zero()) {
            balance_events.push(events.event(
                Some(user_id),
                EventPayload::AccountBalanceUpdated {
                    account_id: account.id,
                    previous_balance: previous.map(|b| fixed(b, MONEY_DP)),
                    new_balance: fixed(account.balance, MONEY_DP),
                    currency: account.currency.to_string(),
                },
            ));
        }
        match change {
            Change::Created => report.created += 1,
            Change::Updated => report.updated += 1,
            Change::Unchanged => report.unchanged += 1,
        }
        touched.push((account.clone(), change));
        if change == Change::Created {
            created.push(account);
        } else {
            updated.push(account);
        }
    }
    let snapshots = snapshots(ports, upsert, &touched).await?;
    let after: Vec<Account> = before
        .iter()
        .filter(|a| !touched.iter().any(|(t, _)| t.id == a.id))
        .cloned()
        .chain(touched.iter().map(|(a, _)| a.clone()))
        .collect();
    let mut synced = connection.clone();
    synced
        .record_sync(now)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let succeeded = upsert
        .succeeded
        .map(|payload| events.event(Some(user_id), payload(&report)));
    let outbox = events.outbox_with(
        balance_events
            .into_iter()
            .chain(net_worth_events(events, user_id, &before, &after))
            .chain(succeeded),
    );
    ports
        .portfolio
        .accounts
        .commit_sync(AccountSyncWrite {
            connection: &synced,
            created: &created,
            updated: &updated,
            snapshots: &snapshots,
            events: &outbox,
        })
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists(Existing::Account)
            | StoreError::Conflict(Conflict::StaleAccount | Conflict::StaleConnection) => {
                Attempt::Conflicted
            }
            e => Attempt::Failed(e.into()),
        })?;
    events.mark_outboxed();
    Ok((report, touched.into_iter().map(|(a, _)| a).collect()))
}

/// One snapshot per account touched whose balance was reported, against its latest.
async fn snapshots(
    ports: &Ports,
    upsert: &Upsert<'_>,
    touched: &[(Account, Change)],
) -> Result<Vec<BalanceSnapshot>, AppError> {
    let now = ports.clock.now();
    let touched: Vec<_> = touched
        .iter()
        .filter(|(a, _)| {
            !upsert
                .without_balance
                .contains(&a.provider_account_id.as_str())
        })
        .collect();
    let latest = futures::future::try_join_all(touched.iter().map(|(a, change)| async move {
        if *change == Change::Created {
            Ok(None)
        } else {
            ports.portfolio.snapshots.latest(a.id).await
        }
    }))
    .await?;
    Ok(touched
        .iter()
        .zip(latest)
        .map(|((account, change), previous)| {
            let source = if *change == Change::Created {
                upsert.sources.0
            } else {
                upsert.sources.1
            };
            BalanceSnapshot::capture(
                Uuid::now_v7(),
                account,
                None,
                source,
                previous.as_ref(),
                now,
            )
        })
        .collect())
}
