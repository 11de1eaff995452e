use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::{Datelike as _, Duration as Days, Weekday};
use dashtam_core::{Clock, SecretString, SystemClock};
use dashtam_domain::{
    portfolio::{AccountType, AssetType, TransactionSubtype as S, TransactionType as T},
    providers::{Credentials, DateWindow, ProviderClient, ProviderError},
};
use dashtam_infrastructure::providers::alpaca::{AlpacaClient, AlpacaConfig};
use dashtam_sandbox::Sandbox;
use rust_decimal::Decimal;

use super::{fast_retry, manual_clock, sandbox, short_timeouts};

fn keys(id: &str, secret: &str) -> Credentials {
    Credentials::ApiKey {
        key_id: SecretString::from(id.to_owned()),
        secret: SecretString::from(secret.to_owned()),
    }
}

fn good() -> Credentials {
    keys("sandbox-key", "sandbox-secret")
}

fn config(sb: &Sandbox) -> AlpacaConfig {
    let mut c = AlpacaConfig::default().with_base_url(sb.alpaca_base());
    c.retry = fast_retry();
    c
}

fn client(sb: &Sandbox) -> AlpacaClient {
    AlpacaClient::new(config(sb)).unwrap()
}

#[tokio::test]
async fn good_keys_read_the_paper_account() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let accounts = client(&sb).accounts(&good()).await.unwrap();
    assert_eq!(accounts.len(), 1);
    let a = &accounts[0];
    assert!(a.provider_account_id.starts_with("PA"));
    assert!(a.name.starts_with("Alpaca Paper ****"), "{}", a.name);
    assert_eq!(a.account_type, AccountType::Brokerage);
    assert!(a.is_active && a.balance > Decimal::ZERO && a.available_balance.is_some());
}

#[tokio::test]
async fn bad_keys_are_rejected_for_good() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    for creds in [
        keys("sandbox-key", "wrong"),
        keys("nobody", "sandbox-secret"),
    ] {
        assert_eq!(
            client(&sb).accounts(&creds).await,
            Err(ProviderError::Rejected(
                "alpaca refused the API keys".into()
            ))
        );
    }
    // No retry for a refusal.
    assert_eq!(sb.counters().alpaca_account, 2);
}

#[tokio::test]
async fn positions_map_shorts_options_and_crypto() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let holdings = client(&sb).holdings(&good(), "any").await.unwrap();
    let by = |sym: &str| holdings.iter().find(|h| h.symbol == sym).unwrap();
    assert_eq!(by("TSLA").quantity, Decimal::from(-10));
    assert_eq!(by("BTCUSD").asset_type, AssetType::Cryptocurrency);
    assert_eq!(by("AAPL270115C00250000").asset_type, AssetType::Option);
    assert_eq!(by("SPY").asset_type, AssetType::Equity);
    let ids: HashSet<_> = holdings.iter().map(|h| &h.provider_holding_id).collect();
    assert_eq!(ids.len(), holdings.len());
}

#[tokio::test]
async fn every_page_of_activities_is_read() {
    let clock = manual_clock();
    let sb = sandbox(clock.clone(), Duration::ZERO).await;
    let today = clock.now().date_naive();
    let window = DateWindow {
        start: today - Days::days(150),
        end: today,
    };
    let txns = client(&sb)
        .transactions(&good(), "any", window)
        .await
        .unwrap();
    // The sandbox: two activities each weekday of the last 120 days.
    let weekdays = (1..=120)
        .map(|back| today - Days::days(back))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count();
    assert_eq!(txns.len(), 2 * weekdays);
    assert!(txns.len() > 100, "more than one page");
    assert!(sb.counters().alpaca_activities >= 2);
    let ids: HashSet<_> = txns.iter().map(|t| &t.provider_transaction_id).collect();
    assert_eq!(ids.len(), txns.len());
    let kinds: HashSet<_> = txns
        .iter()
        .map(|t| (t.transaction_type, t.subtype))
        .collect();
    for k in [
        (T::Trade, S::Buy),
        (T::Trade, S::Sell),
        (T::Trade, S::ShortSell),
        (T::Transfer, S::Deposit),
        (T::Transfer, S::Withdrawal),
        (T::Income, S::Dividend),
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    for t in &txns {
        if t.transaction_type == T::Trade {
            let gross = t.quantity.unwrap() * t.unit_price.unwrap();
            let expected = if t.subtype == S::Buy { -gross } else { gross };
            assert_eq!(t.amount, expected);
        }
        if t.subtype == S::Deposit {
            assert!(t.amount > Decimal::ZERO);
        }
        if t.subtype == S::Withdrawal {
            assert!(t.amount < Decimal::ZERO);
        }
    }
    // A narrower window keeps to its days.
    let week = DateWindow {
        start: today - Days::days(7),
        end: today - Days::days(1),
    };
    let recent = client(&sb)
        .transactions(&good(), "any", week)
        .await
        .unwrap();
    assert!(!recent.is_empty() && recent.len() < txns.len());
    assert!(recent.iter().all(|t| t.transaction_date >= week.start));
}

#[tokio::test]
async fn rate_limited_reports_the_http_date_retry_after() {
    // The sandbox dates its Retry-After by its clock: the real one here.
    let sb = sandbox(Arc::new(SystemClock), Duration::ZERO).await;
    let e = client(&sb)
        .accounts(&keys("sandbox-key-rate-limited", "sandbox-secret"))
        .await
        .unwrap_err();
    match e {
        ProviderError::RateLimited {
            retry_after: Some(after),
        } => {
            assert!(after <= Duration::from_secs(61), "{after:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unavailable_and_slow_are_unavailable() {
    let sb = sandbox(manual_clock(), Duration::from_secs(2)).await;
    let e = client(&sb)
        .accounts(&keys("sandbox-key-unavailable", "sandbox-secret"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("500")),
        "{e:?}"
    );
    assert_eq!(sb.counters().alpaca_account, 3);
    let mut c = config(&sb);
    c.timeouts = short_timeouts();
    let e = AlpacaClient::new(c)
        .unwrap()
        .accounts(&keys("sandbox-key-slow", "sandbox-secret"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("timed out")),
        "{e:?}"
    );
}

#[tokio::test]
async fn oauth_tokens_are_not_alpaca_credentials() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let now = manual_clock().now();
    let creds = Credentials::OAuth {
        access_token: SecretString::from("a".to_owned()),
        refresh_token: SecretString::from("r".to_owned()),
        access_expires_at: now,
        refresh_expires_at: now,
    };
    assert!(matches!(
        client(&sb).accounts(&creds).await,
        Err(ProviderError::Rejected(_))
    ));
}
