//! Net worth over time and the summary, from synced snapshots: the series carries
//! balances across the days between snapshots, subtracts what is owed, keeps currencies
//! apart; bad ranges and currencies get clear refusals.

use chrono::{Duration as Span, NaiveDate};
use dashtam_application::{
    AppError,
    portfolio::queries::{NetWorthHistory, PortfolioSummary},
};
use dashtam_core::Clock;
use dashtam_domain::portfolio::{AccountType, AssetType, Currency};

use crate::{
    brokerage::{account, d},
    finance::Finance,
};

fn bad_request(e: AppError) -> String {
    match e {
        AppError::Validation { detail, .. } => detail,
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn the_series_follows_the_snapshots_day_by_day_and_subtracts_what_is_owed() {
    let f = Finance::new();
    let mut card = account("99990009", "300.00");
    card.account_type = AccountType::CreditCard;
    let mut euro = account("77770007", "5000.00");
    euro.currency = Currency::Eur;
    f.broker.accounts.lock().unwrap().extend([card, euro]);
    let (user, c) = f.schwab("ada@example.com").await;
    let day0 = f.clock.now().date_naive();
    f.sync_accounts(&user, c.id, true).await.unwrap();
    // Two days without a sync, then the brokerage account moves.
    f.clock.advance(Span::days(3));
    f.broker.accounts.lock().unwrap()[0].balance = d("2000.50");
    f.sync_accounts(&user, c.id, true).await.unwrap();
    let series = NetWorthHistory {
        principal: &user,
        start_date: Some(day0 - Span::days(1)),
        end_date: Some(day0 + Span::days(3)),
        currency: Some("usd".into()),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(series.currency, Currency::Usd);
    let values: Vec<_> = series
        .points
        .iter()
        .map(|p| (p.net_worth, p.accounts))
        .collect();
    // 1000.50 + 250.00 − 300.00 (the card), the EUR account left out.
    assert_eq!(
        values,
        [
            (d("0"), 0),
            (d("950.50"), 3),
            (d("950.50"), 3),
            (d("950.50"), 3),
            (d("1950.50"), 3),
        ]
    );
    assert_eq!(series.change_amount, d("1950.50"));
    assert_eq!(series.change_percent, None, "from zero");
    let euros = NetWorthHistory {
        principal: &user,
        start_date: Some(day0),
        end_date: Some(day0),
        currency: Some("EUR".into()),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    assert_eq!(euros.points[0].net_worth, d("5000.00"));
    assert_eq!(euros.points[0].accounts, 1);
}

#[tokio::test]
async fn bad_ranges_and_currencies_are_refused_clearly() {
    let f = Finance::new();
    let user = f.user("ada@example.com").await;
    let day = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let ask = |start, end, currency: Option<&str>| NetWorthHistory {
        principal: &user,
        start_date: Some(start),
        end_date: Some(end),
        currency: currency.map(str::to_owned),
    };
    let e = ask(day(2026, 2, 1), day(2026, 1, 1), None)
        .execute(&f.ports)
        .await
        .unwrap_err();
    assert!(bad_request(e).contains("start_date"));
    let e = ask(day(2020, 1, 1), day(2025, 1, 2), None)
        .execute(&f.ports)
        .await
        .unwrap_err();
    assert!(bad_request(e).contains("5 years"));
    // Exactly five years is allowed.
    assert_eq!(
        ask(day(2020, 1, 1), day(2025, 1, 1), None)
            .execute(&f.ports)
            .await
            .unwrap()
            .points
            .len(),
        1828
    );
    let e = ask(day(2026, 1, 1), day(2026, 1, 2), Some("XYZ"))
        .execute(&f.ports)
        .await
        .unwrap_err();
    let detail = bad_request(e);
    assert!(detail.contains("XYZ") && detail.contains("USD"), "{detail}");
}

#[tokio::test]
async fn the_summary_splits_net_worth_and_reports_the_days_change() {
    let f = Finance::new();
    let mut card = account("99990009", "300.00");
    card.account_type = AccountType::CreditCard;
    f.broker.accounts.lock().unwrap().push(card);
    let (user, c) = f.schwab("ada@example.com").await;
    f.sync_accounts(&user, c.id, true).await.unwrap();
    let brokerage = f
        .ports
        .portfolio
        .accounts
        .list_for_user(user.user_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.provider_account_id == "11110001")
        .unwrap();
    dashtam_application::portfolio::commands::SyncHoldings {
        principal: user.clone(),
        account_id: brokerage.id,
        force: true,
        context: crate::support::Harness::ctx(),
    }
    .execute(&f.ports)
    .await
    .unwrap();
    // Tomorrow the brokerage account has grown.
    f.clock.advance(Span::days(1));
    f.broker.accounts.lock().unwrap()[0].balance = d("1100.50");
    f.sync_accounts(&user, c.id, true).await.unwrap();
    let summary = PortfolioSummary { principal: &user }
        .execute(&f.ports)
        .await
        .unwrap();
    assert_eq!(summary.currencies.len(), 1);
    let usd = &summary.currencies[0];
    assert_eq!(usd.currency, Currency::Usd);
    let t = &usd.totals;
    assert_eq!(t.net_worth, d("1050.50"));
    assert_eq!((t.assets, t.liabilities), (d("1350.50"), d("300.00")));
    assert_eq!(t.account_count, 3);
    assert_eq!(t.by_account_type[&AccountType::Brokerage], d("1350.50"));
    assert_eq!(t.by_account_type[&AccountType::CreditCard], d("-300.00"));
    assert_eq!(t.by_asset_type[&AssetType::Equity], d("2650"));
    assert_eq!(t.previous_net_worth, Some(d("950.50")));
    assert_eq!(usd.day_change_amount, Some(d("100.00")));
    assert_eq!(usd.day_change_percent, Some(d("10.52")));
}
