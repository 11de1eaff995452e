//! A scripted brokerage behind the provider ports, for the use cases: canned accounts,
//! transactions and holdings, failures queued per call, and call counts. (The real
//! clients are tested against the sandbox over HTTP, in the infrastructure suite.)

use std::{
    collections::{HashMap, VecDeque},
    str::FromStr,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use chrono::NaiveDate;
use dashtam_domain::{
    portfolio::{
        AccountType, AssetType, Currency, TransactionStatus, TransactionSubtype, TransactionType,
    },
    providers::{
        CipherError, CredentialCipher, Credentials, DateWindow, OAuthProvider, OAuthTokens,
        ProviderAccount, ProviderClient, ProviderError, ProviderHolding, ProviderTransaction,
        SealedCredentials,
    },
};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[derive(Default)]
pub struct Brokerage {
    pub accounts: Mutex<Vec<ProviderAccount>>,
    pub transactions: Mutex<HashMap<String, Vec<ProviderTransaction>>>,
    pub holdings: Mutex<HashMap<String, Vec<ProviderHolding>>>,
    /// Failures the next data calls answer with, in order.
    pub failures: Mutex<VecDeque<ProviderError>>,
    /// What the next refresh answers (default: new tokens).
    pub refusals: Mutex<VecDeque<ProviderError>>,
    /// The access tokens the data calls accept (empty: any).
    pub valid_tokens: Mutex<Vec<String>>,
    /// The windows transaction calls asked for, in order.
    pub windows: Mutex<Vec<DateWindow>>,
    pub data_calls: AtomicUsize,
    pub refreshes: AtomicUsize,
    pub exchanges: AtomicUsize,
}

impl Brokerage {
    pub fn investor() -> Self {
        let b = Self::default();
        *b.accounts.lock().unwrap() = vec![
            account("11110001", "1000.50"),
            account("22220002", "250.00"),
        ];
        b.transactions.lock().unwrap().insert(
            "11110001".into(),
            (0..30).map(|i| transaction(&format!("t{i}"), i)).collect(),
        );
        b.holdings.lock().unwrap().insert(
            "11110001".into(),
            vec![
                holding("AAPL", "10", "1500", "1750"),
                holding("VTI", "5", "1000", "900"),
            ],
        );
        b
    }

    fn next_failure(&self, credentials: &Credentials) -> Result<(), ProviderError> {
        self.data_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        let valid = self.valid_tokens.lock().unwrap();
        match credentials {
            Credentials::OAuth { access_token, .. }
                if !valid.is_empty()
                    && !valid.contains(&access_token.expose_secret().to_owned()) =>
            {
                Err(ProviderError::TokenExpired)
            }
            _ => Ok(()),
        }
    }
}

pub fn account(number: &str, balance: &str) -> ProviderAccount {
    ProviderAccount {
        provider_account_id: number.into(),
        account_number_masked: Some(format!("****{}", &number[number.len() - 4..])),
        name: format!("Brokerage {number}"),
        account_type: AccountType::Brokerage,
        currency: Currency::Usd,
        balance: d(balance),
        available_balance: Some(d("100")),
        is_active: true,
        metadata: json!({"type": "MARGIN"}),
    }
}

pub fn transaction(id: &str, day: u32) -> ProviderTransaction {
    ProviderTransaction {
        provider_transaction_id: id.into(),
        transaction_type: TransactionType::Trade,
        subtype: TransactionSubtype::Buy,
        status: TransactionStatus::Settled,
        amount: d("-100.25"),
        currency: Currency::Usd,
        description: format!("Buy {id}"),
        asset_type: Some(AssetType::Equity),
        symbol: Some("AAPL".into()),
        security_name: None,
        quantity: Some(d("1")),
        unit_price: Some(d("100.25")),
        commission: None,
        transaction_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
            + chrono::Duration::days(i64::from(day % 28)),
        settlement_date: None,
        metadata: json!({}),
    }
}

pub fn holding(symbol: &str, qty: &str, cost: &str, value: &str) -> ProviderHolding {
    ProviderHolding {
        provider_holding_id: format!("h_{symbol}"),
        symbol: symbol.into(),
        security_name: symbol.into(),
        asset_type: AssetType::Equity,
        quantity: d(qty),
        cost_basis: d(cost),
        market_value: d(value),
        currency: Currency::Usd,
        average_price: None,
        current_price: None,
        metadata: json!({}),
    }
}

#[async_trait]
impl ProviderClient for Brokerage {
    async fn accounts(&self, c: &Credentials) -> Result<Vec<ProviderAccount>, ProviderError> {
        self.next_failure(c)?;
        // Let a concurrent sync interleave here, as a real network call would.
        tokio::task::yield_now().await;
        Ok(self.accounts.lock().unwrap().clone())
    }

    async fn transactions(
        &self,
        c: &Credentials,
        id: &str,
        window: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError> {
        self.next_failure(c)?;
        self.windows.lock().unwrap().push(window);
        tokio::task::yield_now().await;
        Ok(self
            .transactions
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.transaction_date >= window.start && t.transaction_date <= window.end)
            .collect())
    }

    async fn holdings(
        &self,
        c: &Credentials,
        id: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError> {
        self.next_failure(c)?;
        tokio::task::yield_now().await;
        Ok(self
            .holdings
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .unwrap_or_default())
    }
}

#[async_trait]
impl OAuthProvider for Brokerage {
    fn authorization_url(&self, state: &str, redirect_uri: &str) -> String {
        format!("https://broker.test/authorize?state={state}&redirect_uri={redirect_uri}")
    }

    fn refresh_token_lifetime(&self) -> chrono::Duration {
        chrono::Duration::days(7)
    }

    async fn exchange_code(&self, code: &str, _: &str) -> Result<OAuthTokens, ProviderError> {
        self.exchanges.fetch_add(1, Ordering::SeqCst);
        if code == "bad-code" {
            return Err(ProviderError::Rejected("invalid_grant".into()));
        }
        Ok(tokens(&format!("access-{code}")))
    }

    async fn refresh(&self, _: &SecretString) -> Result<OAuthTokens, ProviderError> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = self.refusals.lock().unwrap().pop_front() {
            return Err(e);
        }
        let access = format!("access-refreshed-{n}");
        self.valid_tokens.lock().unwrap().push(access.clone());
        Ok(tokens(&access))
    }
}

fn tokens(access: &str) -> OAuthTokens {
    OAuthTokens {
        access_token: SecretString::from(access.to_owned()),
        refresh_token: Some(SecretString::from("refresh-1".to_owned())),
        expires_in: Duration::from_secs(1800),
    }
}

/// Seals as plain JSON: the use cases only need a reversible, opaque blob (the real
/// AES-GCM cipher has its own tests).
pub struct JsonCipher;

impl CredentialCipher for JsonCipher {
    fn seal(&self, c: &Credentials) -> Result<SealedCredentials, CipherError> {
        serde_json::to_vec(c)
            .map(SealedCredentials)
            .map_err(|_| CipherError::Unreadable("serialise"))
    }

    fn open(&self, s: &SealedCredentials) -> Result<Credentials, CipherError> {
        serde_json::from_slice(&s.0).map_err(|_| CipherError::Unreadable("parse"))
    }
}
