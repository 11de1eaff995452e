use std::time::Duration;

use chrono::Duration as Span;
use dashtam_domain::{
    platform::events::EventContext,
    portfolio::{Account, ScheduledSync},
    providers::{DateWindow, ProviderConnection},
};

use super::dispatch_syncs::skip_reason;
use crate::{
    AppError, Ports,
    portfolio::commands::{
        DEFAULT_TRANSACTION_DAYS, SyncTrigger, sync_accounts, sync_holdings, sync_transactions,
    },
};

/// How long a round's claim on a connection holds: the run id's granularity, so that
/// any duplicate of the round's message finds it.
pub const ROUND_CLAIM: Span = Span::hours(1);
/// Transactions are fetched from the last sync's day minus this (a day of overlap: the
/// provider may post late, and the sync is insert-only).
const OVERLAP: Span = Span::days(1);

/// What the worker did with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduledSyncOutcome {
    /// Accounts, transactions and holdings synced.
    Synced {
        accounts: u64,
        transactions_created: u64,
        holdings: u64,
    },
    /// Not synced this round: the connection is gone or cannot be used (`expired`,
    /// `revoked`, `failed`, `disconnected`, `pending`, `gone`). Delete the message.
    Skipped { reason: &'static str },
    /// Another delivery of this round's message took the connection. Delete the message.
    Duplicate,
    /// The provider is rate-limiting us: make the message visible again after this.
    RetryAfter(Duration),
}

/// Syncs one connection of a scheduled round: accounts, then transactions from the last
/// sync (with a day of overlap; the last 30 days the first time), then the holdings of
/// every active account, every snapshot `scheduled_sync`. The round's claim on the
/// connection makes duplicates harmless; it is given back when the sync fails, so the
/// redelivery tries again.
pub struct RunScheduledSync {
    pub message: ScheduledSync,
}

impl RunScheduledSync {
    /// `Err` for a failure worth a redelivery (after the queue's visibility timeout; the
    /// DLQ after five receives).
    pub async fn execute(self, ports: &Ports) -> Result<ScheduledSyncOutcome, AppError> {
        let m = &self.message;
        let now = ports.clock.now();
        let Some(mut connection) = ports
            .providers
            .connections
            .find(m.user_id, m.connection_id)
            .await?
        else {
            return Ok(ScheduledSyncOutcome::Skipped { reason: "gone" });
        };
        if let Some(reason) = skip_reason(&connection, now) {
            return Ok(ScheduledSyncOutcome::Skipped { reason });
        }
        let key = format!("round#{}#{}", m.run_id, m.connection_id);
        let claims = &ports.providers.sync_claims;
        if !claims
            .claim(m.user_id, &key, now, ROUND_CLAIM, false)
            .await?
        {
            return Ok(ScheduledSyncOutcome::Duplicate);
        }
        match sync(ports, &mut connection).await {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                let current = ports
                    .providers
                    .connections
                    .find(m.user_id, m.connection_id)
                    .await
                    .ok()
                    .flatten();
                // A refused grant expired the connection meanwhile: nothing to retry.
                if let Some(reason) = current.as_ref().and_then(|c| skip_reason(c, now)) {
                    tracing::warn!(connection = %m.connection_id, reason, error = %e, "scheduled sync stopped");
                    return Ok(ScheduledSyncOutcome::Skipped { reason });
                }
                if let Err(release) = claims.release(m.user_id, &key, now).await {
                    tracing::warn!(error = %release, "round claim not released");
                }
                match e {
                    AppError::ProviderBusy { retry_after, .. } => Ok(
                        ScheduledSyncOutcome::RetryAfter(Duration::from_secs(retry_after.max(1))),
                    ),
                    e => Err(e),
                }
            }
        }
    }
}

async fn sync(
    ports: &Ports,
    connection: &mut ProviderConnection,
) -> Result<ScheduledSyncOutcome, AppError> {
    let context = EventContext::default();
    let (user_id, connection_id) = (connection.user_id, connection.id);
    let previous_sync = connection.last_sync_at;
    let accounts_report =
        sync_accounts(ports, connection, true, &context, SyncTrigger::Schedule).await?;
    // The account sync saved the connection (its last sync): continue from what it stored.
    *connection = ports
        .providers
        .connections
        .find(user_id, connection_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
    let accounts: Vec<Account> = ports
        .portfolio
        .accounts
        .list_for_user(user_id)
        .await?
        .into_iter()
        .filter(|a| a.connection_id == connection_id && a.is_active)
        .collect();
    let end = ports.clock.now().date_naive();
    let start = previous_sync
        .map(|at| at.date_naive() - OVERLAP)
        .unwrap_or(end - Span::days(DEFAULT_TRANSACTION_DAYS))
        .min(end);
    let transactions = sync_transactions(
        ports,
        connection,
        &accounts,
        None,
        DateWindow { start, end },
        &context,
    )
    .await?;
    let mut holdings = 0;
    for account in &accounts {
        let report = sync_holdings(
            ports,
            connection,
            account,
            true,
            &context,
            SyncTrigger::Schedule,
        )
        .await?;
        holdings += report.created + report.updated + report.unchanged;
    }
    Ok(ScheduledSyncOutcome::Synced {
        accounts: accounts_report.created + accounts_report.updated + accounts_report.unchanged,
        transactions_created: transactions.created,
        holdings,
    })
}
