//! What the provider, portfolio and import tests share: the eight ports over the emulated table
//! (with every DynamoDB call counted) or over one `MemoryStore`, so each scenario runs
//! against both and the two adapters provably agree; and the entities they write.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::{
    Client,
    config::{
        ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use dashtam_domain::{
    imports::ImportRepository,
    platform::events::{DomainEvent, EventPayload},
    portfolio::{
        Account, AccountRepository, AccountType, AssetType, BalanceSnapshot, Currency, Holding,
        HoldingRepository, SnapshotRepository, SnapshotSource, Transaction, TransactionRepository,
        TransactionStatus, TransactionSubtype, TransactionType,
    },
    providers::{
        ConnectionRepository, ConnectionStatus, OAuthStateRepository, ProviderConnection,
        ProviderSlug, SealedCredentials, SyncClaims,
    },
};
use dashtam_infrastructure::{
    dynamodb::{
        DynamoAccountRepository, DynamoConnectionRepository, DynamoHoldingRepository,
        DynamoImportRepository, DynamoOAuthStateRepository, DynamoSnapshotRepository,
        DynamoSyncClaims, DynamoTransactionRepository, Table,
    },
    memory::MemoryStore,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::support::{Db, event};

/// Runs a scenario `async fn name(fin: Fin)` against DynamoDB (`name::dynamodb`) and
/// memory (`name::memory`).
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn dynamodb() {
                super::$name(super::super::fin::Fin::dynamo().await).await;
            }
            #[tokio::test]
            async fn memory() {
                super::$name(super::super::fin::Fin::memory()).await;
            }
        }
    )+};
}
pub(crate) use both;

/// Records the operation (`X-Amz-Target`) of every DynamoDB call.
#[derive(Debug, Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<String>>>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-dynamodb-calls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("?");
        let op = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().unwrap().push(op);
        Ok(())
    }
}

impl Calls {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub struct Fin {
    pub connections: Arc<dyn ConnectionRepository>,
    pub oauth: Arc<dyn OAuthStateRepository>,
    pub claims: Arc<dyn SyncClaims>,
    pub accounts: Arc<dyn AccountRepository>,
    pub transactions: Arc<dyn TransactionRepository>,
    pub holdings: Arc<dyn HoldingRepository>,
    pub snapshots: Arc<dyn SnapshotRepository>,
    pub imports: Arc<dyn ImportRepository>,
    /// The DynamoDB calls made (DynamoDB only).
    pub calls: Option<Calls>,
    pub db: Option<Db>,
    pub memory: Option<Arc<MemoryStore>>,
}

impl Fin {
    pub async fn dynamo() -> Self {
        let db = Db::new().await;
        let calls = Calls::default();
        let conf = aws_sdk_dynamodb::config::Builder::from(&db.stack.sdk)
            .interceptor(calls.clone())
            .build();
        let table = Table::new(Client::from_conf(conf), db.table.clone());
        Self {
            connections: Arc::new(DynamoConnectionRepository::from_table(table.clone())),
            oauth: Arc::new(DynamoOAuthStateRepository::from_table(table.clone())),
            claims: Arc::new(DynamoSyncClaims::from_table(table.clone())),
            accounts: Arc::new(DynamoAccountRepository::from_table(table.clone())),
            transactions: Arc::new(DynamoTransactionRepository::from_table(table.clone())),
            holdings: Arc::new(DynamoHoldingRepository::from_table(table.clone())),
            snapshots: Arc::new(DynamoSnapshotRepository::from_table(table.clone())),
            imports: Arc::new(DynamoImportRepository::from_table(table)),
            calls: Some(calls),
            db: Some(db),
            memory: None,
        }
    }

    pub fn memory() -> Self {
        let m = Arc::new(MemoryStore::new());
        Self {
            connections: m.clone(),
            oauth: m.clone(),
            claims: m.clone(),
            accounts: m.clone(),
            transactions: m.clone(),
            holdings: m.clone(),
            snapshots: m.clone(),
            imports: m.clone(),
            calls: None,
            db: None,
            memory: Some(m),
        }
    }

    /// The DynamoDB operations since the last call (empty in memory).
    pub fn take_calls(&self) -> Vec<String> {
        self.calls.as_ref().map(Calls::take).unwrap_or_default()
    }

    /// Whether the event reached the outbox.
    pub async fn in_outbox(&self, e: &DomainEvent) -> bool {
        match (&self.db, &self.memory) {
            (Some(db), _) => db
                .raw(&format!("OUTBOX#{}", e.event_id), "OUTBOX")
                .await
                .is_some(),
            (_, Some(m)) => m
                .pending_events(10_000)
                .iter()
                .any(|x| x.event_id == e.event_id),
            _ => unreachable!(),
        }
    }

    /// A stored, active connection of a new user.
    pub async fn connection(&self) -> ProviderConnection {
        let c = connection(Uuid::now_v7(), Utc::now());
        self.connections.create(&c, &[]).await.unwrap();
        self.connections
            .find(c.user_id, c.id)
            .await
            .unwrap()
            .unwrap()
    }

    /// A stored account under `connection` (created through an account sync).
    pub async fn account(&self, connection: &ProviderConnection, pid: &str) -> Account {
        let a = account(connection, pid);
        // Every sync saves the connection: write over its current version.
        let connection = &self
            .connections
            .find(connection.user_id, connection.id)
            .await
            .unwrap()
            .unwrap();
        self.accounts
            .commit_sync(dashtam_domain::portfolio::AccountSyncWrite {
                connection,
                created: std::slice::from_ref(&a),
                updated: &[],
                snapshots: &[],
                events: &[],
            })
            .await
            .unwrap();
        self.accounts.find(a.user_id, a.id).await.unwrap().unwrap()
    }
}

pub fn connection(user_id: Uuid, now: DateTime<Utc>) -> ProviderConnection {
    ProviderConnection {
        status: ConnectionStatus::Active,
        credentials: Some(SealedCredentials(vec![1, 0, 255, 42])),
        connected_at: Some(now),
        ..ProviderConnection::pending(
            Uuid::now_v7(),
            user_id,
            ProviderSlug::Schwab,
            Some("Main".into()),
            now,
        )
    }
}

pub fn account(c: &ProviderConnection, pid: &str) -> Account {
    let now = Utc::now();
    Account {
        id: Uuid::now_v7(),
        user_id: c.user_id,
        connection_id: c.id,
        provider_account_id: pid.to_owned(),
        account_number_masked: Some("****1234".into()),
        name: "Brokerage".into(),
        account_type: AccountType::Brokerage,
        currency: Currency::Usd,
        balance: dec("1234.5600"),
        available_balance: Some(dec("1000.01")),
        is_active: true,
        last_synced_at: Some(now),
        holdings_synced_at: None,
        provider_metadata: serde_json::json!({"raw": "MARGIN", "n": null}),
        transaction_count: 0,
        created_at: now,
        updated_at: now,
        version: 0,
    }
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn txn(a: &Account, pid: &str, date: &str, ty: TransactionType) -> Transaction {
    let now = Utc::now();
    Transaction {
        id: Uuid::now_v7(),
        user_id: a.user_id,
        account_id: a.id,
        provider_transaction_id: pid.to_owned(),
        transaction_type: ty,
        subtype: TransactionSubtype::Buy,
        status: TransactionStatus::Settled,
        amount: dec("-100.1234"),
        currency: Currency::Usd,
        description: "Bought".into(),
        asset_type: Some(AssetType::Equity),
        symbol: Some("AAPL".into()),
        security_name: None,
        quantity: Some(dec("0.12345678")),
        unit_price: Some(dec("190.5")),
        commission: None,
        transaction_date: day(date),
        settlement_date: None,
        provider_metadata: serde_json::json!({}),
        created_at: now,
        updated_at: now,
    }
}

pub fn holding(a: &Account, pid: &str) -> Holding {
    let now = Utc::now();
    Holding {
        id: Uuid::now_v7(),
        user_id: a.user_id,
        account_id: a.id,
        provider_holding_id: pid.to_owned(),
        symbol: "AAPL".into(),
        security_name: "Apple Inc".into(),
        asset_type: AssetType::Equity,
        quantity: dec("10.5"),
        cost_basis: dec("1500"),
        market_value: dec("2000.25"),
        currency: Currency::Usd,
        average_price: Some(dec("142.857")),
        current_price: None,
        is_active: true,
        last_synced_at: Some(now),
        provider_metadata: serde_json::json!({"cusip": "037833100"}),
        created_at: now,
        updated_at: now,
        version: 0,
    }
}

pub fn snapshot(a: &Account, source: SnapshotSource, at: DateTime<Utc>) -> BalanceSnapshot {
    BalanceSnapshot::capture(Uuid::now_v7(), a, Some(dec("100")), source, None, at)
}

pub fn balance_event(a: &Account) -> DomainEvent {
    event(
        Some(a.user_id),
        EventPayload::AccountBalanceUpdated {
            account_id: a.id,
            previous_balance: None,
            new_balance: a.balance.to_string(),
            currency: "USD".into(),
        },
    )
}
