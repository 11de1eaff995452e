//! Statement imports over the in-memory adapters, with a scripted parser (the real
//! parsers have their own tests): exactly once across repeats, overlaps, reused FITIDs,
//! identical rows, concurrent runs and a run that failed half way; nothing written for a
//! file with an error; uploads run by their notification, once.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use async_trait::async_trait;
use chrono::NaiveDate;
use dashtam_application::{
    AppError, Ports,
    dto::Principal,
    imports::{GetImport, ImportFile, ImportReport, RunUpload, StartUpload, UploadOutcome},
    portfolio::queries::ListAccounts,
};
use dashtam_container::InMemory;
use dashtam_core::ManualClock;
use dashtam_domain::{
    StoreError,
    imports::{
        Balance, ImportHints, ImportStatus, Statement, StatementAccount, StatementError,
        StatementErrorCode, StatementFile, StatementLine, StatementParser,
    },
    platform::events::DomainEvent,
    portfolio::{
        Account, AccountType, Currency, PageStart, SnapshotSource, Transaction, TransactionPage,
        TransactionQuery, TransactionRepository, TransactionSubtype, TransactionType,
    },
};
use dashtam_infrastructure::memory::{
    MemoryStore, MemoryUploads, PlainComposer, RecordingPublisher,
};
use serde_json::json;
use uuid::Uuid;

use crate::{brokerage::d, support::Harness};

/// Answers, per file name, the statement (or the error) it was given.
#[derive(Default)]
struct ScriptedParser(Mutex<HashMap<String, Result<Statement, StatementError>>>);

impl ScriptedParser {
    fn set(&self, file_name: &str, parsed: Result<Statement, StatementError>) {
        self.0.lock().unwrap().insert(file_name.into(), parsed);
    }
}

impl StatementParser for ScriptedParser {
    fn parse(&self, file: StatementFile<'_>) -> Result<Statement, StatementError> {
        self.0
            .lock()
            .unwrap()
            .get(file.file_name)
            .cloned()
            .unwrap_or_else(|| Err(StatementError::new(StatementErrorCode::Empty, "no script")))
    }
}

struct Imports {
    ports: Ports,
    store: Arc<MemoryStore>,
    uploads: Arc<MemoryUploads>,
    parser: Arc<ScriptedParser>,
    h: Harness,
}

impl Imports {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::default());
        let parser = Arc::new(ScriptedParser::default());
        let memory = InMemory::builder()
            .clock(clock.clone())
            .signing_key("k".repeat(64))
            .events(Arc::new(RecordingPublisher::default()))
            .email_composer(Arc::new(PlainComposer))
            .parser(parser.clone())
            .build();
        let h = Harness::over(memory.ports.clone(), memory.store.clone(), clock);
        Self {
            ports: memory.ports,
            store: memory.store,
            uploads: memory.uploads,
            parser,
            h,
        }
    }

    async fn user(&self, email: &str) -> Principal {
        crate::support::signed_in(&self.h, email).await
    }

    async fn import(&self, user: &Principal, file_name: &str) -> Result<ImportReport, AppError> {
        import_with(&self.ports, user, file_name).await
    }

    async fn accounts(&self, user: &Principal) -> Vec<Account> {
        ListAccounts {
            principal: user,
            connection_id: None,
            active_only: false,
            account_type: None,
        }
        .execute(&self.ports)
        .await
        .unwrap()
        .accounts
    }

    async fn snapshots(&self, account_id: Uuid) -> Vec<dashtam_domain::portfolio::BalanceSnapshot> {
        self.ports
            .portfolio
            .snapshots
            .recent(account_id, 100, None)
            .await
            .unwrap()
    }

    fn recorded(&self, name: &str) -> usize {
        self.store
            .pending_events(usize::MAX)
            .iter()
            .filter(|e| e.name() == name)
            .count()
    }
}

async fn import_with(
    ports: &Ports,
    user: &Principal,
    file_name: &str,
) -> Result<ImportReport, AppError> {
    ImportFile {
        principal: user.clone(),
        file_name: file_name.into(),
        bytes: b"(scripted)".to_vec(),
        hints: ImportHints::default(),
        context: Harness::ctx(),
    }
    .execute(ports)
    .await
}

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
}

fn row(fitid: Option<&str>, date: u32, amount: &str, description: &str) -> StatementLine {
    StatementLine {
        line: date,
        fitid: fitid.map(str::to_owned),
        transaction_date: day(date),
        posted_date: None,
        amount: d(amount),
        transaction_type: TransactionType::Other,
        subtype: TransactionSubtype::Unknown,
        description: description.into(),
        metadata: json!({"trntype": "DEBIT"}).into(),
    }
}

fn checking(number: &str, balance: Option<&str>, lines: Vec<StatementLine>) -> StatementAccount {
    StatementAccount {
        account_number: number.into(),
        account_type: AccountType::Checking,
        currency: Currency::Usd,
        name: None,
        balance: balance.map(|b| Balance {
            amount: d(b),
            as_of: Some(day(30)),
        }),
        available_balance: None,
        metadata: json!({"bank_id": "021000021"}),
        lines,
    }
}

fn statement(accounts: Vec<StatementAccount>) -> Result<Statement, StatementError> {
    Ok(Statement { accounts })
}

fn counts(r: &ImportReport) -> (u64, u64, u64, u64) {
    (
        r.accounts_created,
        r.accounts_updated,
        r.transactions_created,
        r.transactions_skipped,
    )
}

#[tokio::test]
async fn an_import_creates_once_and_the_same_file_again_creates_nothing() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let rows = vec![
        row(Some("1"), 1, "-10.00", "COFFEE"),
        row(Some("2"), 2, "2500.00", "PAYROLL"),
        row(Some("3"), 3, "-64.10", "GROCER"),
    ];
    t.parser.set(
        "jan.qfx",
        statement(vec![checking("000123456789", Some("5000.00"), rows)]),
    );

    let first = t.import(&user, "jan.qfx").await.unwrap();
    assert_eq!(counts(&first), (1, 0, 3, 0));
    let again = t.import(&user, "jan.qfx").await.unwrap();
    assert_eq!(counts(&again), (0, 0, 0, 3), "{}", again.message);
    assert_eq!(
        first.connection_id, again.connection_id,
        "one chase_file connection"
    );

    let accounts = t.accounts(&user).await;
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account.account_number_masked.as_deref(), Some("****6789"));
    assert_eq!(account.name, "Checking ****6789");
    assert_eq!(
        (account.balance, account.transaction_count),
        (d("5000.00"), 3)
    );
    let snapshots = t.snapshots(account.id).await;
    assert!(!snapshots.is_empty());
    assert!(
        snapshots
            .iter()
            .all(|s| s.source == SnapshotSource::FileImport)
    );

    let status = GetImport {
        principal: user.clone(),
        import_id: first.import_id,
    }
    .execute(&t.ports)
    .await
    .unwrap();
    assert_eq!(status.status, ImportStatus::Completed);
    assert_eq!(
        (status.progress_percent, status.records_processed),
        (100, 3)
    );
    assert_eq!(t.recorded("FileImportAttempted"), 2);
    assert_eq!(t.recorded("FileImportSucceeded"), 2);
    assert_eq!(t.recorded("ProviderConnectionSucceeded"), 1);
}

#[tokio::test]
async fn an_overlapping_file_adds_only_its_new_rows() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let a = vec![row(Some("1"), 1, "-1", "A"), row(Some("2"), 2, "-2", "B")];
    let b = vec![row(Some("2"), 2, "-2", "B"), row(Some("3"), 3, "-3", "C")];
    t.parser
        .set("a.ofx", statement(vec![checking("1111", Some("10"), a)]));
    t.parser
        .set("b.ofx", statement(vec![checking("1111", Some("7"), b)]));
    t.import(&user, "a.ofx").await.unwrap();
    let second = t.import(&user, "b.ofx").await.unwrap();
    assert_eq!(counts(&second), (0, 1, 1, 1));
    assert_eq!(t.accounts(&user).await[0].transaction_count, 3);
}

#[tokio::test]
async fn a_reused_fitid_with_another_amount_is_kept_whichever_file_brings_it() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    // Chase: the purchase, then its foreign-transaction fee under the same FITID.
    let statement_1 = vec![
        row(Some("X1"), 1, "-100.00", "SHOP ABROAD"),
        row(Some("X1"), 1, "-3.00", "FOREIGN TRANSACTION FEE"),
    ];
    // A later file: the reward credit under that FITID again, and the purchase repeated.
    let statement_2 = vec![
        row(Some("X1"), 5, "1.00", "REWARD"),
        row(Some("X1"), 1, "-100.00", "SHOP ABROAD"),
    ];
    t.parser.set(
        "s1.qfx",
        statement(vec![checking("9", Some("0"), statement_1)]),
    );
    t.parser.set(
        "s2.qfx",
        statement(vec![checking("9", Some("0"), statement_2)]),
    );
    assert_eq!(counts(&t.import(&user, "s1.qfx").await.unwrap()).2, 2);
    let second = t.import(&user, "s2.qfx").await.unwrap();
    assert_eq!(
        (second.transactions_created, second.transactions_skipped),
        (1, 1)
    );
    assert_eq!(counts(&t.import(&user, "s2.qfx").await.unwrap()).3, 2);
    let account = &t.accounts(&user).await[0];
    let ids: Vec<String> = t
        .ports
        .portfolio
        .transactions
        .page(
            account.id,
            &TransactionQuery {
                start_date: None,
                end_date: None,
                transaction_type: None,
                limit: 100,
                start: PageStart::Offset(0),
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.provider_transaction_id)
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&"X1".to_owned()));
    assert_eq!(ids.iter().filter(|id| id.starts_with("X1~")).count(), 2);
}

#[tokio::test]
async fn identical_rows_without_ids_are_each_a_transaction_once() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let coffee = || row(None, 4, "-4.50", "COFFEE SHOP");
    t.parser.set(
        "a.csv",
        statement(vec![checking("1234", None, vec![coffee(), coffee()])]),
    );
    t.parser.set(
        "b.csv",
        statement(vec![checking(
            "1234",
            None,
            vec![coffee(), coffee(), coffee()],
        )]),
    );
    assert_eq!(
        counts(&t.import(&user, "a.csv").await.unwrap()),
        (1, 0, 2, 0)
    );
    // The next export of the same day holds a third cup.
    assert_eq!(
        counts(&t.import(&user, "b.csv").await.unwrap()),
        (0, 0, 1, 2)
    );
    let account = &t.accounts(&user).await[0];
    // No balance column: the balance stays and no snapshot is taken.
    assert_eq!(account.balance, d("0"));
    assert!(t.snapshots(account.id).await.is_empty());
}

#[tokio::test]
async fn several_statements_of_one_account_are_one_account() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let mut october = checking("55", Some("10.00"), vec![row(Some("a"), 1, "-1", "A")]);
    october.balance.as_mut().unwrap().as_of = Some(day(1));
    let november = checking("55", Some("20.00"), vec![row(Some("b"), 2, "-2", "B")]);
    let mut card = checking("77", Some("-250.00"), vec![row(Some("c"), 3, "-5", "C")]);
    card.account_type = AccountType::CreditCard;
    t.parser
        .set("all.ofx", statement(vec![november, card, october]));
    let report = t.import(&user, "all.ofx").await.unwrap();
    assert_eq!(counts(&report), (2, 0, 3, 0));
    let accounts = t.accounts(&user).await;
    let bank = accounts
        .iter()
        .find(|a| a.provider_account_id == "55")
        .unwrap();
    assert_eq!(bank.balance, d("20.00"), "the newest statement's balance");
    let card = accounts
        .iter()
        .find(|a| a.provider_account_id == "77")
        .unwrap();
    assert_eq!(
        (card.account_type, card.balance),
        (AccountType::CreditCard, d("-250.00"))
    );
}

#[tokio::test]
async fn a_file_with_an_error_changes_nothing_and_names_the_line() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    t.parser.set(
        "bad.csv",
        Err(StatementError::at(
            StatementErrorCode::BadDate,
            7,
            "'13/45/2024' is not a date",
        )),
    );
    let Err(AppError::Validation { detail, errors }) = t.import(&user, "bad.csv").await else {
        panic!("expected a validation problem");
    };
    assert!(detail.contains("line 7"), "{detail}");
    assert_eq!(
        (
            errors[0].field.as_str(),
            errors[0].code.as_str(),
            errors[0].line
        ),
        ("file", "bad_date", Some(7))
    );
    t.parser.set(
        "nameless.csv",
        Err(StatementError::new(
            StatementErrorCode::MissingAccount,
            "which account?",
        )),
    );
    let Err(AppError::Validation { errors, .. }) = t.import(&user, "nameless.csv").await else {
        panic!("expected a validation problem");
    };
    assert_eq!(errors[0].field, "account_number");
    assert!(matches!(
        t.import(&user, "statement.pdf").await,
        Err(AppError::UnsupportedMediaType(_))
    ));
    assert!(t.accounts(&user).await.is_empty());
    assert_eq!(t.recorded("ProviderConnectionSucceeded"), 0);
    assert_eq!(
        t.recorded("FileImportFailed"),
        2,
        "the refusals are on the record"
    );
}

#[tokio::test]
async fn a_file_in_another_currency_than_its_account_is_refused() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    t.parser.set(
        "usd.ofx",
        statement(vec![checking("42", Some("1"), vec![])]),
    );
    let mut eur = checking("42", Some("1"), vec![row(Some("e"), 1, "-1", "E")]);
    eur.currency = Currency::Eur;
    t.parser.set("eur.ofx", statement(vec![eur]));
    t.import(&user, "usd.ofx").await.unwrap();
    let Err(AppError::Validation { errors, .. }) = t.import(&user, "eur.ofx").await else {
        panic!("expected a validation problem");
    };
    assert_eq!(errors[0].field, "currency");
    assert_eq!(t.accounts(&user).await[0].transaction_count, 0);
}

#[tokio::test]
async fn two_imports_of_one_file_at_once_write_each_row_once() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let rows: Vec<_> = (1..=600)
        .map(|i| row(Some(&i.to_string()), 1 + i % 28, "-1.00", "ROW"))
        .collect();
    t.parser
        .set("big.qfx", statement(vec![checking("8", Some("1"), rows)]));
    let (a, b) = tokio::join!(t.import(&user, "big.qfx"), t.import(&user, "big.qfx"));
    let created: u64 = [&a, &b]
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.transactions_created)
        .sum();
    assert_eq!(created, 600);
    for r in [&a, &b] {
        assert!(
            matches!(r, Ok(_) | Err(AppError::Conflict(_))),
            "201 or 409 while the other runs: {r:?}"
        );
    }
    assert_eq!(t.accounts(&user).await[0].transaction_count, 600);
    // With the first done, the file imports again at once: nothing new.
    assert_eq!(counts(&t.import(&user, "big.qfx").await.unwrap()).3, 600);
}

/// Fails the `fail_on`-th insert (a store error half way), delegating the rest.
struct FailingInserts {
    inner: Arc<dyn TransactionRepository>,
    calls: AtomicUsize,
    fail_on: usize,
}

#[async_trait]
impl TransactionRepository for FailingInserts {
    async fn find(&self, id: Uuid) -> Result<Option<Transaction>, StoreError> {
        self.inner.find(id).await
    }
    async fn page(&self, a: Uuid, q: &TransactionQuery) -> Result<TransactionPage, StoreError> {
        self.inner.page(a, q).await
    }
    async fn known_ids(&self, a: Uuid) -> Result<HashMap<String, String>, StoreError> {
        self.inner.known_ids(a).await
    }
    async fn insert_new(
        &self,
        account: &Account,
        transactions: &[Transaction],
        events: &[DomainEvent],
    ) -> Result<u64, StoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_on {
            return Err(StoreError::Unavailable("the table failed".into()));
        }
        self.inner.insert_new(account, transactions, events).await
    }
}

#[tokio::test]
async fn an_import_that_failed_half_way_completes_when_repeated() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let rows: Vec<_> = (1..=1200)
        .map(|i| row(Some(&format!("f{i}")), 1 + i % 28, "-2.00", "ROW"))
        .collect();
    t.parser
        .set("year.qfx", statement(vec![checking("3", Some("9"), rows)]));
    let mut failing = t.ports.clone();
    failing.portfolio.transactions = Arc::new(FailingInserts {
        inner: t.ports.portfolio.transactions.clone(),
        calls: AtomicUsize::new(0),
        fail_on: 2,
    });
    let failed = import_with(&failing, &user, "year.qfx").await;
    assert!(matches!(failed, Err(AppError::Internal(_))), "{failed:?}");
    let half = t.accounts(&user).await[0].transaction_count;
    assert!(half > 0 && half < 1200, "{half} written before the failure");
    assert_eq!(t.recorded("FileImportFailed"), 1);

    // The claim was given back: the retry runs at once and writes only the rest.
    let retried = t.import(&user, "year.qfx").await.unwrap();
    assert_eq!(
        (retried.transactions_created, retried.transactions_skipped),
        (1200 - half, half)
    );
    assert_eq!(t.accounts(&user).await[0].transaction_count, 1200);
    assert!(
        t.recorded("FileImportProgress") >= 1,
        "progress every 5 percent: {:?}",
        t.store
            .pending_events(usize::MAX)
            .iter()
            .map(|e| e.name())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn an_upload_is_imported_once_by_its_notification() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let started = StartUpload {
        principal: user.clone(),
        file_name: "big.ofx".into(),
        hints: ImportHints::default(),
    }
    .execute(&t.ports)
    .await
    .unwrap();
    assert!(
        started
            .upload_url
            .ends_with(&format!("imports/{}/{}", user.user_id, started.import_id))
    );
    let key = format!("imports/{}/{}", user.user_id, started.import_id);
    let pending = GetImport {
        principal: user.clone(),
        import_id: started.import_id,
    };
    assert_eq!(
        pending.execute(&t.ports).await.unwrap().status,
        ImportStatus::Pending
    );

    t.parser.set(
        "big.ofx",
        statement(vec![checking(
            "6",
            Some("3"),
            vec![row(Some("u"), 1, "-1", "U")],
        )]),
    );
    t.uploads.put(&key, b"(scripted)".to_vec());
    let run = |key: &str| RunUpload {
        key: key.into(),
        context: Harness::ctx(),
    };
    assert_eq!(
        run(&key).execute(&t.ports).await.unwrap(),
        UploadOutcome::Completed
    );
    assert_eq!(
        run(&key).execute(&t.ports).await.unwrap(),
        UploadOutcome::AlreadyDone
    );
    let view = GetImport {
        principal: user.clone(),
        import_id: started.import_id,
    }
    .execute(&t.ports)
    .await
    .unwrap();
    assert_eq!(
        (view.status, view.transactions_created),
        (ImportStatus::Completed, 1)
    );
    assert_eq!(
        run("imports/not-a/key").execute(&t.ports).await.unwrap(),
        UploadOutcome::Unknown
    );

    // Someone else cannot read it.
    let eve = t.user("eve@example.com").await;
    let foreign = GetImport {
        principal: eve,
        import_id: started.import_id,
    }
    .execute(&t.ports)
    .await;
    assert!(matches!(foreign, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn an_unreadable_upload_fails_for_good_with_the_reason() {
    let t = Imports::new();
    let user = t.user("ada@example.com").await;
    let started = StartUpload {
        principal: user.clone(),
        file_name: "broken.ofx".into(),
        hints: ImportHints::default(),
    }
    .execute(&t.ports)
    .await
    .unwrap();
    let key = format!("imports/{}/{}", user.user_id, started.import_id);
    t.parser.set(
        "broken.ofx",
        Err(StatementError::at(
            StatementErrorCode::Truncated,
            40,
            "the file ends inside <STMTTRN>",
        )),
    );
    t.uploads.put(&key, b"<OFX>".to_vec());
    let outcome = RunUpload {
        key,
        context: Harness::ctx(),
    }
    .execute(&t.ports)
    .await
    .unwrap();
    assert_eq!(outcome, UploadOutcome::Refused);
    let view = GetImport {
        principal: user,
        import_id: started.import_id,
    }
    .execute(&t.ports)
    .await
    .unwrap();
    assert_eq!(view.status, ImportStatus::Failed);
    assert!(view.error.unwrap().contains("line 40"));
}
