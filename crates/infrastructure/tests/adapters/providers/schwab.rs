use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::Duration as Days;
use dashtam_core::{Clock, ExposeSecret as _, ManualClock, SecretString};
use dashtam_domain::{
    portfolio::{
        AccountType, AssetType, TransactionStatus, TransactionSubtype as S, TransactionType as T,
    },
    providers::{
        Credentials, DateWindow, OAuthProvider, OAuthTokens, ProviderClient, ProviderError,
    },
};
use dashtam_infrastructure::providers::schwab::{SchwabClient, SchwabConfig, SchwabOAuth};
use dashtam_sandbox::{Profile, Sandbox};
use rust_decimal::Decimal;

use super::{fast_retry, manual_clock, sandbox, short_timeouts};

const REDIRECT: &str = "https://127.0.0.1:3000/oauth/schwab/callback";

fn config(sb: &Sandbox) -> SchwabConfig {
    let mut c = SchwabConfig::new(
        "sandbox-client",
        SecretString::from("sandbox-secret".to_owned()),
    )
    .with_base_url(sb.schwab_base());
    c.retry = fast_retry();
    c
}

fn oauth(sb: &Sandbox) -> SchwabOAuth {
    SchwabOAuth::new(config(sb)).unwrap()
}

fn client(sb: &Sandbox) -> SchwabClient {
    SchwabClient::new(config(sb)).unwrap()
}

async fn consent(sb: &Sandbox, profile: Profile) -> OAuthTokens {
    let code = sb
        .authorize("sandbox-client", REDIRECT, "state-1", profile)
        .await;
    oauth(sb).exchange_code(&code, REDIRECT).await.unwrap()
}

fn credentials(t: &OAuthTokens, clock: &dyn Clock) -> Credentials {
    let now = clock.now();
    Credentials::OAuth {
        access_token: t.access_token.clone(),
        refresh_token: t.refresh_token.clone().unwrap(),
        access_expires_at: now + Days::from_std(t.expires_in).unwrap(),
        refresh_expires_at: now + Days::days(7),
    }
}

async fn connected(profile: Profile) -> (Arc<ManualClock>, Sandbox, Credentials) {
    let clock = manual_clock();
    let sb = sandbox(clock.clone(), Duration::from_secs(2)).await;
    let tokens = consent(&sb, profile).await;
    let creds = credentials(&tokens, clock.as_ref());
    (clock, sb, creds)
}

fn window(clock: &dyn Clock, days: i64) -> DateWindow {
    let today = clock.now().date_naive();
    DateWindow {
        start: today - Days::days(days),
        end: today,
    }
}

#[tokio::test]
async fn the_authorize_url_opens_the_consent_page() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let url = oauth(&sb).authorization_url("st/ate+1", REDIRECT);
    assert!(url.starts_with(&format!(
        "{}/v1/oauth/authorize?client_id=sandbox-client&",
        sb.schwab_base()
    )));
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form"));
}

#[tokio::test]
async fn code_exchange_then_refresh_then_the_code_is_spent() {
    let clock = manual_clock();
    let sb = sandbox(clock.clone(), Duration::ZERO).await;
    let code = sb
        .authorize("sandbox-client", REDIRECT, "s", Profile::Investor)
        .await;
    let o = oauth(&sb);
    let tokens = o.exchange_code(&code, REDIRECT).await.unwrap();
    assert_eq!(tokens.expires_in, Duration::from_secs(1800));
    let refresh = tokens.refresh_token.clone().unwrap();
    // A code works once.
    assert!(matches!(
        o.exchange_code(&code, REDIRECT).await,
        Err(ProviderError::Rejected(_))
    ));
    assert!(matches!(
        o.exchange_code("C0.bogus@", REDIRECT).await,
        Err(ProviderError::Rejected(_))
    ));

    clock.advance(Days::minutes(45));
    let renewed = o.refresh(&refresh).await.unwrap();
    assert_ne!(
        renewed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    let creds = credentials(&renewed, clock.as_ref());
    assert_eq!(client(&sb).accounts(&creds).await.unwrap().len(), 2);
    assert_eq!(o.refresh_token_lifetime(), Days::days(7));
}

#[tokio::test]
async fn a_wrong_client_secret_is_rejected() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let code = sb
        .authorize("sandbox-client", REDIRECT, "s", Profile::Investor)
        .await;
    let mut c = config(&sb);
    c.client_secret = SecretString::from("wrong".to_owned());
    let e = SchwabOAuth::new(c)
        .unwrap()
        .exchange_code(&code, REDIRECT)
        .await;
    assert!(matches!(e, Err(ProviderError::Rejected(_))), "{e:?}");
}

#[tokio::test]
async fn the_refresh_token_lapses_seven_days_after_consent() {
    let clock = manual_clock();
    let sb = sandbox(clock.clone(), Duration::ZERO).await;
    let tokens = consent(&sb, Profile::Investor).await;
    let refresh = tokens.refresh_token.unwrap();
    let o = oauth(&sb);
    clock.advance(Days::days(6));
    // Refreshing on day 6 does not extend the refresh token's life.
    let r = o.refresh(&refresh).await.unwrap();
    let refresh = r.refresh_token.unwrap_or(refresh);
    clock.advance(Days::days(1) + Days::minutes(1));
    let e = o.refresh(&refresh).await.unwrap_err();
    assert!(
        matches!(&e, ProviderError::Rejected(m) if !m.contains(refresh.expose_secret())),
        "{e:?}"
    );
}

#[tokio::test]
async fn revoked_consent_expires_and_refuses_refresh() {
    let (_clock, sb, creds) = connected(Profile::Revoked).await;
    assert_eq!(
        client(&sb).accounts(&creds).await,
        Err(ProviderError::TokenExpired)
    );
    let Credentials::OAuth { refresh_token, .. } = &creds else {
        unreachable!()
    };
    assert!(matches!(
        oauth(&sb).refresh(refresh_token).await,
        Err(ProviderError::Rejected(_))
    ));
}

#[tokio::test]
async fn an_expired_access_token_is_token_expired() {
    let (clock, sb, creds) = connected(Profile::Investor).await;
    clock.advance(Days::minutes(31));
    assert_eq!(
        client(&sb).accounts(&creds).await,
        Err(ProviderError::TokenExpired)
    );
    let w = window(clock.as_ref(), 30);
    assert_eq!(
        client(&sb).transactions(&creds, "x", w).await,
        Err(ProviderError::TokenExpired)
    );
}

#[tokio::test]
async fn investor_accounts_take_types_from_the_api_and_names_from_preferences() {
    let (_clock, sb, creds) = connected(Profile::Investor).await;
    let accounts = client(&sb).accounts(&creds).await.unwrap();
    assert_eq!(accounts.len(), 2);
    let margin = &accounts[0];
    let roth = &accounts[1];
    assert_eq!(margin.metadata["securitiesAccount"]["type"], "MARGIN");
    assert_eq!(roth.metadata["securitiesAccount"]["type"], "CASH");
    assert_eq!(roth.name, "Roth IRA");
    assert_eq!(margin.name, "Individual");
    // The nickname "Roth IRA" is a label; the API says CASH, so it is brokerage.
    assert!(
        accounts
            .iter()
            .all(|a| a.account_type == AccountType::Brokerage)
    );
    for a in &accounts {
        assert!(a.balance > Decimal::ZERO);
        assert!(a.available_balance.is_some_and(|v| v > Decimal::ZERO));
        let last4 = &a.provider_account_id[a.provider_account_id.len() - 4..];
        assert_eq!(
            a.account_number_masked.as_deref(),
            Some(format!("****{last4}").as_str())
        );
    }
    assert_eq!(sb.counters().schwab_user_preference, 1);
}

#[tokio::test]
async fn investor_holdings_map_etfs_options_shorts_and_funds() {
    let (_clock, sb, creds) = connected(Profile::Investor).await;
    let c = client(&sb);
    let accounts = c.accounts(&creds).await.unwrap();
    let holdings = c
        .holdings(&creds, &accounts[0].provider_account_id)
        .await
        .unwrap();
    assert_eq!(holdings.len(), 10);
    let by = |sym: &str| holdings.iter().find(|h| h.symbol.starts_with(sym)).unwrap();
    assert_eq!(by("VTI").asset_type, AssetType::Etf);
    assert_eq!(by("AAPL").asset_type, AssetType::Equity);
    assert_eq!(by("SWPPX").asset_type, AssetType::MutualFund);
    assert_eq!(by("SWVXX").asset_type, AssetType::CashEquivalent);
    let put = by("TSLA");
    assert_eq!(put.asset_type, AssetType::Option);
    assert_eq!(put.quantity, Decimal::NEGATIVE_ONE);
    assert!(put.market_value < Decimal::ZERO && put.cost_basis < Decimal::ZERO);
    for h in &holdings {
        assert!(h.provider_holding_id.starts_with("schwab_"));
        let m = if h.asset_type == AssetType::Option {
            Decimal::ONE_HUNDRED
        } else {
            Decimal::ONE
        };
        assert_eq!(
            h.current_price,
            Some(h.market_value / (h.quantity * m)),
            "{}",
            h.symbol
        );
    }
    let ids: HashSet<_> = holdings.iter().map(|h| &h.provider_holding_id).collect();
    assert_eq!(ids.len(), holdings.len());
    let roth = c
        .holdings(&creds, &accounts[1].provider_account_id)
        .await
        .unwrap();
    assert_eq!(roth.len(), 2);
    // Every call named the account by its hash (the sandbox refuses plain numbers).
    assert!(sb.counters().schwab_account_numbers >= 2);
}

#[tokio::test]
async fn investor_transactions_classify_dividends_interest_fees_and_transfers() {
    let (clock, sb, creds) = connected(Profile::Investor).await;
    let c = client(&sb);
    let accounts = c.accounts(&creds).await.unwrap();
    let txns = c
        .transactions(
            &creds,
            &accounts[0].provider_account_id,
            window(clock.as_ref(), 100),
        )
        .await
        .unwrap();
    assert!(txns.len() > 60, "{}", txns.len());
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
        (T::Income, S::Dividend),
        (T::Income, S::Interest),
        (T::Transfer, S::Deposit),
        (T::Transfer, S::Withdrawal),
        (T::Transfer, S::WireOut),
    ] {
        assert!(kinds.contains(&k), "{k:?} missing");
    }
    assert!(
        kinds.contains(&(T::Transfer, S::TransferIn))
            || kinds.contains(&(T::Transfer, S::TransferOut))
    );
    assert!(
        kinds
            .iter()
            .all(|(t, s)| *t != T::Other && *s != S::Unknown)
    );
    for t in &txns {
        assert_eq!(t.status, TransactionStatus::Settled);
        assert!(t.metadata["activityId"].is_number());
        match t.transaction_type {
            T::Trade => {
                assert!(t.symbol.is_some() && t.quantity.is_some_and(|q| q > Decimal::ZERO));
                assert!(t.unit_price.is_some() && t.commission.is_some());
                let fees: Decimal = t.metadata["transferItems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|l| l.get("feeType").is_some())
                    .map(|l| l["amount"].to_string().parse::<Decimal>().unwrap())
                    .sum();
                assert_eq!(t.commission, Some(fees));
                // A trade with fee legs: the security leg is still the one reported.
                assert_ne!(t.symbol.as_deref(), Some("CURRENCY_USD"));
            }
            T::Income if t.subtype == S::Dividend => assert!(t.symbol.is_some()),
            _ => {}
        }
    }
    let sells_with_fees = txns
        .iter()
        .filter(|t| t.subtype == S::Sell && t.commission.is_some_and(|c| c > Decimal::ZERO))
        .count();
    assert!(sells_with_fees > 0);
    // Every day is in the window the sandbox was asked for, newest first or not.
    let w = window(clock.as_ref(), 100);
    assert!(
        txns.iter()
            .all(|t| t.transaction_date >= w.start && t.transaction_date <= w.end)
    );
}

#[tokio::test]
async fn bulk_windows_are_split_until_nothing_is_cut() {
    let (clock, sb, creds) = connected(Profile::Bulk).await;
    let c = client(&sb);
    let accounts = c.accounts(&creds).await.unwrap();
    let w = window(clock.as_ref(), 366);
    let mut total = 0;
    let mut counts = Vec::new();
    for a in &accounts {
        let txns = c
            .transactions(&creds, &a.provider_account_id, w)
            .await
            .unwrap();
        let ids: HashSet<_> = txns
            .iter()
            .map(|t| t.provider_transaction_id.clone())
            .collect();
        assert_eq!(ids.len(), txns.len(), "each row exactly once");
        total += txns.len();
        counts.push(txns.len());
    }
    // The sandbox's bulk profile: 25 rows a day for a year, and 2–3 a day in the Roth.
    assert_eq!(counts, vec![25 * 365, 2 * 365 + 145]);
    assert_eq!(total, 10_000);
    // More than one request per year-chunk: a full window was halved.
    assert!(
        sb.counters().schwab_transactions > 4,
        "{:?}",
        sb.counters().schwab_transactions
    );
}

#[tokio::test]
async fn rate_limited_gives_up_with_retry_after() {
    let (_clock, sb, creds) = connected(Profile::RateLimited).await;
    let started = std::time::Instant::now();
    let e = client(&sb).accounts(&creds).await.unwrap_err();
    assert_eq!(
        e,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    // Three attempts, the waits being the sandbox's Retry-After of 1 s.
    assert_eq!(sb.counters().schwab_accounts, 3);
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn unavailable_is_retried_then_unavailable() {
    let (_clock, sb, creds) = connected(Profile::Unavailable).await;
    let e = client(&sb).accounts(&creds).await.unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("500")),
        "{e:?}"
    );
    assert_eq!(sb.counters().schwab_accounts, 3);
}

#[tokio::test]
async fn a_slow_provider_times_out_as_unavailable() {
    let (_clock, sb, creds) = connected(Profile::Slow).await;
    let mut c = config(&sb);
    c.timeouts = short_timeouts();
    let started = std::time::Instant::now();
    let e = SchwabClient::new(c)
        .unwrap()
        .accounts(&creds)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("timed out")),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn api_keys_are_not_schwab_credentials() {
    let sb = sandbox(manual_clock(), Duration::ZERO).await;
    let keys = Credentials::ApiKey {
        key_id: SecretString::from("k".to_owned()),
        secret: SecretString::from("s".to_owned()),
    };
    assert!(matches!(
        client(&sb).accounts(&keys).await,
        Err(ProviderError::Rejected(_))
    ));
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let mut c = SchwabConfig::new("id", SecretString::from("s".to_owned()))
        .with_base_url("http://127.0.0.1:1");
    c.retry = fast_retry();
    let creds = Credentials::OAuth {
        access_token: SecretString::from("a".to_owned()),
        refresh_token: SecretString::from("r".to_owned()),
        access_expires_at: manual_clock().now(),
        refresh_expires_at: manual_clock().now(),
    };
    let e = SchwabClient::new(c.clone())
        .unwrap()
        .accounts(&creds)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("connection failed")),
        "{e:?}"
    );
    let e = SchwabOAuth::new(c)
        .unwrap()
        .exchange_code("C0.x@", REDIRECT)
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Unavailable(_)), "{e:?}");
}

/// A server that accepts connections and never answers; counts them.
async fn silent_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            open.push(socket);
        }
    });
    (base, accepted)
}

#[tokio::test]
async fn a_timed_out_code_exchange_is_not_sent_twice_but_a_read_is_retried() {
    use std::sync::atomic::Ordering;
    let (base, accepted) = silent_server().await;
    let mut c = SchwabConfig::new("id", SecretString::from("s".to_owned())).with_base_url(&base);
    c.retry = fast_retry();
    c.timeouts = short_timeouts();
    // The code is single-use: a second POST could only spend it again.
    let e = SchwabOAuth::new(c.clone())
        .unwrap()
        .exchange_code("C0.x@", REDIRECT)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("timed out")),
        "{e:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    let (_clock, _sb, oauth_creds) = connected(Profile::Investor).await;
    let e = SchwabClient::new(c)
        .unwrap()
        .accounts(&oauth_creds)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable(m) if m.contains("timed out")),
        "{e:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1 + 3);
}
