//! One run of an import over a parsed file: the user's import claim, the `chase_file`
//! connection, the accounts (one commit, with their snapshots and events), then the
//! transactions in chunks with the record's progress, and the outcome on the record.
//!
//! Nothing is written twice: rows get stable ids ([`ImportIds`]) against what each account
//! holds, and every insert is guarded by its marker. A run that stops part-way (a crash, a
//! store error) is simply run again: what it wrote is skipped, the rest is written.

use dashtam_domain::{
    imports::{
        Assigned, FileImport, ImportCounts, ImportIds, Statement, StatementAccount, StatementLine,
    },
    platform::events::{EventContext, EventPayload},
    portfolio::{
        Account, AccountType, Currency, SnapshotSource, Transaction, TransactionStatus,
        mask_account_number,
    },
    providers::{
        ConnectionStatus, ProviderAccount, ProviderConnection, ProviderSlug, ProviderTransaction,
    },
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    portfolio::commands::upsert_accounts::{Upsert, upsert_accounts},
    retry::retry_on_conflict,
};

/// The claim key that keeps one user's imports from running at once.
const CLAIM_KEY: &str = "import";
/// Rows per insert: ten of the store's batched writes.
const CHUNK: usize = 490;
/// A progress event each time the import gets this many percent further.
const PROGRESS_STEP: u8 = 5;

/// One statement per account: a file may hold several for one account (consecutive
/// periods); their rows are read in file order and the newest balance stands.
pub(crate) fn merge_accounts(statement: Statement) -> Statement {
    let mut accounts: Vec<StatementAccount> = Vec::with_capacity(statement.accounts.len());
    for data in statement.accounts {
        match accounts
            .iter_mut()
            .find(|a| a.account_number == data.account_number)
        {
            Some(first) => {
                let newer = match (first.balance, data.balance) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(a), Some(b)) => b.as_of >= a.as_of,
                };
                if newer {
                    first.balance = data.balance;
                    first.available_balance = data.available_balance;
                }
                first.lines.extend(data.lines);
            }
            None => accounts.push(data),
        }
    }
    Statement { accounts }
}

/// Runs `import` (new, or pending/failed from an upload) over `statement`; the record
/// ends completed with its counts, or failed with the reason (and the error is returned).
pub(crate) async fn run(
    ports: &Ports,
    import: &mut FileImport,
    statement: &Statement,
    context: &EventContext,
) -> Result<ImportCounts, AppError> {
    let user_id = import.user_id;
    let claims = &ports.providers.sync_claims;
    let claimed_at = ports.clock.now();
    let lease = ports.imports.settings.claim_lease;
    if !claims
        .claim(user_id, CLAIM_KEY, claimed_at, lease, false)
        .await?
    {
        return Err(AppError::Conflict(
            "Another import of yours is running; try again when it has finished.".into(),
        ));
    }
    let mut events = EventBatch::new(context, claimed_at);
    let result = write(ports, import, statement, &mut events).await;
    if let Err(e) = &result {
        let now = ports.clock.now();
        import.fail(&reason(e), now);
        let failed = events.event(Some(user_id), failed_event(import, &reason(e)));
        let outbox = events.outbox_with([failed]);
        match store(ports, import, &outbox).await {
            Ok(()) => events.mark_outboxed(),
            Err(store_error) => {
                tracing::error!(error = %store_error, import = %import.id, "failed import not recorded");
            }
        }
    }
    events.append_to_outbox(ports).await;
    if let Err(e) = claims.release(user_id, CLAIM_KEY, claimed_at).await {
        tracing::warn!(error = %e, "import claim not released");
    }
    result
}

/// What the record says about a failure: the user's mistakes as they are, our faults
/// without internals.
fn reason(e: &AppError) -> String {
    match e {
        AppError::Validation { detail, .. } | AppError::Conflict(detail) => detail.clone(),
        _ => "The import could not be completed; importing the file again resumes it.".into(),
    }
}

async fn write(
    ports: &Ports,
    import: &mut FileImport,
    statement: &Statement,
    events: &mut EventBatch,
) -> Result<ImportCounts, AppError> {
    let user_id = import.user_id;
    let connection = connection_of(ports, user_id, events).await?;
    let mut accounts_before = ports.portfolio.accounts.list_for_user(user_id).await?;
    accounts_before.retain(|a| a.connection_id == connection.id);
    check_currencies(&accounts_before, statement)?;

    import.start(
        connection.id,
        statement.line_count() as u64,
        ports.clock.now(),
    );
    let started = events.event(Some(user_id), attempted_event(import));
    let outbox = events.outbox_with([started]);
    store(ports, import, &outbox).await?;
    events.mark_outboxed();

    let (mut counts, accounts) = commit_accounts(ports, connection, statement, events).await?;
    let mut progress = Progress::default();
    for data in &statement.accounts {
        let account = accounts
            .iter()
            .find(|a| a.provider_account_id == data.account_number)
            .ok_or_else(|| AppError::Internal("an imported account was not stored".into()))?;
        insert_lines(
            ports,
            import,
            account,
            &data.lines,
            &mut counts,
            &mut progress,
            events,
        )
        .await?;
    }
    import.complete(counts, ports.clock.now());
    let succeeded = events.event(Some(user_id), succeeded_event(import));
    let outbox = events.outbox_with([succeeded]);
    store(ports, import, &outbox).await?;
    events.mark_outboxed();
    Ok(counts)
}

/// Creates the record on its first write, then saves it (the claim keeps other writers
/// out, so a conflict here is a fault).
async fn store(
    ports: &Ports,
    import: &mut FileImport,
    events: &[dashtam_domain::platform::events::DomainEvent],
) -> Result<(), AppError> {
    let imports = &ports.imports.imports;
    if import.version == 0 {
        imports.create(import, events).await?;
    } else {
        imports.save(import, events).await?;
    }
    import.version += 1;
    Ok(())
}

/// The user's `chase_file` connection, created on the first import (and again after a
/// disconnect: a disconnected connection keeps its history and is not reused).
async fn connection_of(
    ports: &Ports,
    user_id: Uuid,
    events: &mut EventBatch,
) -> Result<ProviderConnection, AppError> {
    let connections = &ports.providers.connections;
    let existing = connections
        .list_for_user(user_id)
        .await?
        .into_iter()
        .find(|c| {
            c.provider_slug == ProviderSlug::ChaseFile && c.status != ConnectionStatus::Disconnected
        });
    if let Some(connection) = existing {
        return Ok(connection);
    }
    let mut connection =
        ProviderConnection::file_import(Uuid::now_v7(), user_id, ports.clock.now());
    let created = events.event(
        Some(user_id),
        EventPayload::ProviderConnectionSucceeded {
            provider_slug: ProviderSlug::ChaseFile.to_string(),
            connection_id: connection.id,
            alias: None,
            reconnected: false,
        },
    );
    connections
        .create(&connection, &events.outbox_with([created]))
        .await?;
    events.mark_outboxed();
    connection.version = 1;
    Ok(connection)
}

/// A file in another currency than the account it names would reprice its history.
fn check_currencies(accounts: &[Account], statement: &Statement) -> Result<(), AppError> {
    for data in &statement.accounts {
        if let Some(a) = accounts
            .iter()
            .find(|a| a.provider_account_id == data.account_number && a.currency != data.currency)
        {
            return Err(AppError::validation(
                format!(
                    "Account {} is held in {}; this file's statement for it is in {}.",
                    a.account_number_masked.as_deref().unwrap_or("(unnumbered)"),
                    a.currency,
                    data.currency
                ),
                vec![dashtam_domain::FieldError::new(
                    "currency",
                    "currency_mismatch",
                    format!("expected {}", a.currency),
                )],
            ));
        }
    }
    Ok(())
}

/// Upserts the file's accounts in one commit (retried from a fresh read if another
/// writer got in first); answers the counts so far and the accounts, in file order.
async fn commit_accounts(
    ports: &Ports,
    mut connection: ProviderConnection,
    statement: &Statement,
    events: &mut EventBatch,
) -> Result<(ImportCounts, Vec<Account>), AppError> {
    let user_id = connection.user_id;
    retry_on_conflict!(
        |attempt| {
            if attempt > 0 {
                connection = ports
                    .providers
                    .connections
                    .find(user_id, connection.id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
            }
            let stored = ports
                .portfolio
                .accounts
                .list_for_user(user_id)
                .await
                .map_err(AppError::from)?;
            let reported: Vec<ProviderAccount> = statement
                .accounts
                .iter()
                .map(|data| {
                    let known = stored.iter().find(|a| {
                        a.connection_id == connection.id
                            && a.provider_account_id == data.account_number
                    });
                    reported_account(data, known)
                })
                .collect();
            let without_balance: Vec<&str> = statement
                .accounts
                .iter()
                .filter(|a| a.balance.is_none())
                .map(|a| a.account_number.as_str())
                .collect();
            let upsert = Upsert {
                connection: &connection,
                reported: &reported,
                without_balance: &without_balance,
                sources: (SnapshotSource::FileImport, SnapshotSource::FileImport),
                succeeded: None,
            };
            let (report, accounts) = upsert_accounts(ports, &upsert, events).await?;
            let counts = ImportCounts {
                accounts_created: report.created,
                accounts_updated: report.updated,
                ..ImportCounts::default()
            };
            Ok((counts, accounts))
        },
        AppError::Conflict("Another change to these accounts is running; try again.".into())
    )
}

/// The account as the file reports it. Where the file has no balance the stored one
/// stands; where it names no account name the stored one (or a plain one) does.
fn reported_account(data: &StatementAccount, known: Option<&Account>) -> ProviderAccount {
    let masked = mask_account_number(&data.account_number);
    let name = data
        .name
        .clone()
        .or_else(|| known.map(|a| a.name.clone()))
        .unwrap_or_else(|| default_name(data.account_type, masked.as_deref()));
    let (balance, available_balance) = match data.balance {
        Some(b) => (b.amount, data.available_balance),
        None => (
            known.map(|a| a.balance).unwrap_or_default(),
            known.and_then(|a| a.available_balance),
        ),
    };
    ProviderAccount {
        provider_account_id: data.account_number.clone(),
        account_number_masked: masked,
        name,
        account_type: data.account_type,
        currency: data.currency,
        balance,
        available_balance,
        is_active: true,
        metadata: data.metadata.clone(),
    }
}

/// `Checking ****1234`, `Credit Card ****5678`.
fn default_name(account_type: AccountType, masked: Option<&str>) -> String {
    let kind: Vec<String> = account_type
        .as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    match masked {
        Some(m) => format!("{} {m}", kind.join(" ")),
        None => kind.join(" "),
    }
}

#[derive(Default)]
struct Progress {
    processed: u64,
    /// The last progress event's step.
    reported_step: u8,
}

/// Inserts one account's rows that it does not hold yet, chunk by chunk, saving the
/// record's progress after each (with an event every [`PROGRESS_STEP`] percent).
async fn insert_lines(
    ports: &Ports,
    import: &mut FileImport,
    account: &Account,
    lines: &[StatementLine],
    counts: &mut ImportCounts,
    progress: &mut Progress,
    events: &mut EventBatch,
) -> Result<(), AppError> {
    let known = ports.portfolio.transactions.known_ids(account.id).await?;
    let mut ids = ImportIds::new(known);
    for chunk in lines.chunks(CHUNK) {
        let now = ports.clock.now();
        let fresh: Vec<Transaction> = chunk
            .iter()
            .filter_map(|line| match ids.assign(line) {
                Assigned::New(id) => Some(Transaction::record(
                    Uuid::now_v7(),
                    account.user_id,
                    account.id,
                    provider_transaction(line, id, account.currency),
                    now,
                )),
                Assigned::Skip => None,
            })
            .collect();
        let inserted = if fresh.is_empty() {
            0
        } else {
            ports
                .portfolio
                .transactions
                .insert_new(account, &fresh, &[])
                .await?
        };
        counts.transactions_created += inserted;
        counts.transactions_skipped += chunk.len() as u64 - inserted;
        progress.processed += chunk.len() as u64;
        import.progress(progress.processed, *counts, now);
        let step = import.progress_percent() / PROGRESS_STEP;
        let outbox = if step > progress.reported_step && import.progress_percent() < 100 {
            progress.reported_step = step;
            let event = events.event(Some(import.user_id), progress_event(import));
            events.outbox_with([event])
        } else {
            events.outbox_with([])
        };
        store(ports, import, &outbox).await?;
        events.mark_outboxed();
    }
    Ok(())
}

fn provider_transaction(
    line: &StatementLine,
    id: String,
    currency: Currency,
) -> ProviderTransaction {
    ProviderTransaction {
        provider_transaction_id: id,
        transaction_type: line.transaction_type,
        subtype: line.subtype,
        status: TransactionStatus::Settled,
        amount: line.amount,
        currency,
        description: line.description.clone(),
        asset_type: None,
        symbol: None,
        security_name: None,
        quantity: None,
        unit_price: None,
        commission: None,
        transaction_date: line.transaction_date,
        settlement_date: line.posted_date,
        // Back to a map one chunk at a time (the parsed file holds it as text).
        metadata: line.metadata.to_value(),
    }
}

pub(crate) fn attempted_event(i: &FileImport) -> EventPayload {
    EventPayload::FileImportAttempted {
        import_id: i.id,
        file_name: i.file_name.clone(),
        file_format: i.format.to_string(),
        progress_percent: i.progress_percent(),
        records_processed: i.records_processed,
        records_imported: i.counts.transactions_created,
    }
}

fn progress_event(i: &FileImport) -> EventPayload {
    EventPayload::FileImportProgress {
        import_id: i.id,
        file_name: i.file_name.clone(),
        file_format: i.format.to_string(),
        progress_percent: i.progress_percent(),
        records_processed: i.records_processed,
        records_imported: i.counts.transactions_created,
    }
}

fn succeeded_event(i: &FileImport) -> EventPayload {
    EventPayload::FileImportSucceeded {
        import_id: i.id,
        connection_id: i.connection_id.unwrap_or_default(),
        file_name: i.file_name.clone(),
        file_format: i.format.to_string(),
        progress_percent: i.progress_percent(),
        records_processed: i.records_processed,
        records_imported: i.counts.transactions_created,
        accounts_created: i.counts.accounts_created,
        accounts_updated: i.counts.accounts_updated,
        transactions_skipped: i.counts.transactions_skipped,
    }
}

pub(crate) fn failed_event(i: &FileImport, error: &str) -> EventPayload {
    EventPayload::FileImportFailed {
        import_id: i.id,
        file_name: i.file_name.clone(),
        file_format: i.format.to_string(),
        progress_percent: i.progress_percent(),
        records_processed: i.records_processed,
        records_imported: i.counts.transactions_created,
        error: error.to_owned(),
    }
}
