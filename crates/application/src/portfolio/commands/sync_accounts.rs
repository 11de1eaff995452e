use std::collections::HashMap;

use dashtam_domain::{
    Conflict, Existing, StoreError,
    platform::events::{EventContext, EventPayload},
    portfolio::{
        Account, AccountSyncWrite, BalanceSnapshot, Change, MONEY_DP, SnapshotSource, fixed,
    },
    providers::ProviderConnection,
};
use uuid::Uuid;

use super::{
    SyncReport, SyncTrigger,
    provider_call::{SyncClaim, client_of, with_fresh_token},
};
use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    portfolio::net_worth::net_worth_events,
    providers::{owned_connection, usable_credentials},
    retry::{Attempt, retry_on_conflict},
};

/// Syncs a connection's accounts: upsert by the provider's account id, one snapshot per
/// account reported. At most once per 5 minutes unless forced.
pub struct SyncAccounts {
    pub principal: Principal,
    pub connection_id: Uuid,
    pub force: bool,
    pub context: EventContext,
}

impl SyncAccounts {
    pub async fn execute(self, ports: &Ports) -> Result<SyncReport, AppError> {
        let mut connection =
            owned_connection(ports, self.principal.user_id, self.connection_id).await?;
        run(
            ports,
            &mut connection,
            self.force,
            &self.context,
            SyncTrigger::User,
        )
        .await
    }
}

/// The account sync of `connection` (already found for its owner), on whoever's behalf.
pub(crate) async fn run(
    ports: &Ports,
    connection: &mut ProviderConnection,
    force: bool,
    context: &EventContext,
    trigger: SyncTrigger,
) -> Result<SyncReport, AppError> {
    let now = ports.clock.now();
    let user_id = connection.user_id;
    let claim = SyncClaim::take(
        ports,
        user_id,
        format!("accounts#{}", connection.id),
        force,
        "Accounts",
    )
    .await?;
    let mut events = EventBatch::new(context, now);
    events.push(
        Some(user_id),
        EventPayload::AccountSyncAttempted {
            connection_id: connection.id,
        },
    );
    let result = sync(ports, connection, &mut events, trigger).await;
    if let Err(e) = &result {
        claim.release().await;
        events.push(
            Some(user_id),
            EventPayload::AccountSyncFailed {
                connection_id: connection.id,
                error: e.to_string(),
            },
        );
    }
    events.append_to_outbox(ports).await;
    result
}

async fn sync(
    ports: &Ports,
    connection: &mut ProviderConnection,
    events: &mut EventBatch,
    trigger: SyncTrigger,
) -> Result<SyncReport, AppError> {
    let client = client_of(ports, connection)?;
    let mut credentials = usable_credentials(ports, connection, events, false).await?;
    let reported = with_fresh_token!(
        ports,
        connection,
        events,
        credentials,
        client.accounts(&credentials).await
    )?;
    let user_id = connection.user_id;
    retry_on_conflict!(
        |attempt| {
            if attempt > 0 {
                // Another sync wrote first: start again from what it stored.
                *connection = ports
                    .providers
                    .connections
                    .find(user_id, connection.id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
            }
            commit(ports, connection, &reported, events, trigger).await
        },
        AppError::Conflict("Another sync of this connection is running; try again.".into())
    )
}

async fn commit(
    ports: &Ports,
    connection: &ProviderConnection,
    reported: &[dashtam_domain::providers::ProviderAccount],
    events: &mut EventBatch,
    trigger: SyncTrigger,
) -> Result<SyncReport, Attempt<AppError>> {
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
    let snapshots = snapshots(ports, &touched, trigger).await?;
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
    let succeeded = events.event(
        Some(user_id),
        EventPayload::AccountSyncSucceeded {
            connection_id: connection.id,
            account_count: reported.len() as u32,
            created: report.created as u32,
            updated: report.updated as u32,
            unchanged: report.unchanged as u32,
        },
    );
    let outbox = events.outbox_with(
        balance_events
            .into_iter()
            .chain(net_worth_events(events, user_id, &before, &after))
            .chain([succeeded]),
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
    report.message = format!(
        "Synced {} account(s): {} created, {} updated, {} unchanged.",
        reported.len(),
        report.created,
        report.updated,
        report.unchanged
    );
    Ok(report)
}

/// One snapshot per account touched, against its latest.
async fn snapshots(
    ports: &Ports,
    touched: &[(Account, Change)],
    trigger: SyncTrigger,
) -> Result<Vec<BalanceSnapshot>, AppError> {
    let now = ports.clock.now();
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
                SnapshotSource::InitialConnection
            } else {
                trigger.source(SnapshotSource::AccountSync)
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
