use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use dashtam_domain::{
    platform::events::{EventContext, EventPayload},
    portfolio::{Account, Transaction},
    providers::{DateWindow, ProviderConnection, ProviderError},
};
use uuid::Uuid;

use super::{
    SyncReport,
    provider_call::{client_of, with_fresh_token},
};
use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    portfolio::{check_range, owned_account},
    providers::{owned_connection, usable_credentials},
};

/// The default window: the last 30 days.
pub(crate) const DEFAULT_DAYS: i64 = 30;

/// Syncs transactions of one account or of every active account of a connection:
/// insert-only, deduplicated on the provider's id, so repeating it creates nothing twice.
pub struct SyncTransactions {
    pub principal: Principal,
    pub connection_id: Uuid,
    pub account_id: Option<Uuid>,
    /// Inclusive; default the last 30 days.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub force: bool,
    pub context: EventContext,
}

impl SyncTransactions {
    pub async fn execute(self, ports: &Ports) -> Result<SyncReport, AppError> {
        let now = ports.clock.now();
        let user_id = self.principal.user_id;
        let end = self.end_date.unwrap_or(now.date_naive());
        let start = self
            .start_date
            .unwrap_or(end - Duration::days(DEFAULT_DAYS));
        check_range(Some(start), Some(end))?;
        let mut connection = owned_connection(ports, user_id, self.connection_id).await?;
        let accounts = match self.account_id {
            Some(id) => {
                let account = owned_account(ports, user_id, id).await?;
                if account.connection_id != connection.id {
                    return Err(AppError::validation(
                        format!(
                            "Account {id} does not belong to connection {}",
                            connection.id
                        ),
                        vec![],
                    ));
                }
                vec![account]
            }
            None => ports
                .portfolio
                .accounts
                .list_for_user(user_id)
                .await?
                .into_iter()
                .filter(|a| a.connection_id == connection.id && a.is_active)
                .collect(),
        };
        let window = DateWindow { start, end };
        run(
            ports,
            &mut connection,
            &accounts,
            self.account_id,
            window,
            &self.context,
        )
        .await
    }
}

/// The transaction sync of `accounts` (of `connection`, `account_id` when the caller named
/// one) over `window`, on whoever's behalf.
pub(crate) async fn run(
    ports: &Ports,
    connection: &mut ProviderConnection,
    accounts: &[Account],
    account_id: Option<Uuid>,
    window: DateWindow,
    context: &EventContext,
) -> Result<SyncReport, AppError> {
    let user_id = connection.user_id;
    let mut events = EventBatch::new(context, ports.clock.now());
    events.push(
        Some(user_id),
        EventPayload::TransactionSyncAttempted {
            connection_id: connection.id,
            account_id,
        },
    );
    let result = sync(ports, connection, accounts, window, &mut events).await;
    let payload = match &result {
        Ok(report) => EventPayload::TransactionSyncSucceeded {
            connection_id: connection.id,
            account_id,
            transaction_count: report.created + report.unchanged,
            created: report.created,
            unchanged: report.unchanged,
        },
        Err(e) => EventPayload::TransactionSyncFailed {
            connection_id: connection.id,
            account_id,
            error: e.to_string(),
        },
    };
    events.push(Some(user_id), payload);
    events.append_to_outbox(ports).await;
    result
}

async fn sync(
    ports: &Ports,
    connection: &mut ProviderConnection,
    accounts: &[Account],
    window: DateWindow,
    events: &mut EventBatch,
) -> Result<SyncReport, AppError> {
    let client = client_of(ports, connection)?;
    let mut credentials = usable_credentials(ports, connection, events, false).await?;
    let mut report = SyncReport::default();
    let mut first_failure: Option<ProviderError> = None;
    for account in accounts {
        let fetched = with_fresh_token!(
            ports,
            connection,
            events,
            credentials,
            client
                .transactions(&credentials, &account.provider_account_id, window)
                .await
        );
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(account = %account.id, error = %e, "transactions not fetched");
                report.errors += 1;
                first_failure.get_or_insert(e);
                continue;
            }
        };
        let (created, unchanged) = insert(ports, account, fetched).await?;
        report.created += created;
        report.unchanged += unchanged;
    }
    // Nothing fetched at all: the provider's failure is the answer (503/502), not a 201.
    if let Some(e) = first_failure.filter(|_| report.errors as usize == accounts.len()) {
        return Err(e.into());
    }
    report.message = format!(
        "Synced transactions of {} account(s) from {} to {}: {} new, {} already known.",
        accounts.len(),
        window.start,
        window.end,
        report.created,
        report.unchanged
    );
    Ok(report)
}

/// Inserts what the account does not hold yet; answers (created, unchanged).
async fn insert(
    ports: &Ports,
    account: &Account,
    fetched: Vec<dashtam_domain::providers::ProviderTransaction>,
) -> Result<(u64, u64), AppError> {
    let now = ports.clock.now();
    let total = fetched.len() as u64;
    let known = ports.portfolio.transactions.known_ids(account.id).await?;
    let mut seen: HashSet<String> = HashSet::new();
    let new: Vec<Transaction> = fetched
        .into_iter()
        .filter(|t| !known.contains_key(&t.provider_transaction_id))
        .filter(|t| seen.insert(t.provider_transaction_id.clone()))
        .map(|t| Transaction::record(Uuid::now_v7(), account.user_id, account.id, t, now))
        .collect();
    let inserted = if new.is_empty() {
        0
    } else {
        ports
            .portfolio
            .transactions
            .insert_new(account, &new, &[])
            .await?
    };
    Ok((inserted, total - inserted))
}
