//! The portfolio entities' rules: sync changes, gain and loss, snapshot changes.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::portfolio::{AccountType, AssetType, Currency, SnapshotSource};
use crate::providers::{ProviderAccount, ProviderHolding};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

fn provider_account(balance: &str) -> ProviderAccount {
    ProviderAccount {
        provider_account_id: "12345678".into(),
        account_number_masked: mask_account_number("12345678"),
        name: "Roth IRA".into(),
        account_type: AccountType::Brokerage,
        currency: Currency::Usd,
        balance: d(balance),
        available_balance: None,
        is_active: true,
        metadata: json!({"type": "CASH"}),
    }
}

fn holding(quantity: &str, cost: &str, value: &str) -> ProviderHolding {
    ProviderHolding {
        provider_holding_id: "schwab_123_AAPL".into(),
        symbol: "AAPL".into(),
        security_name: "Apple".into(),
        asset_type: AssetType::Equity,
        quantity: d(quantity),
        cost_basis: d(cost),
        market_value: d(value),
        currency: Currency::Usd,
        average_price: None,
        current_price: None,
        metadata: json!({}),
    }
}

#[test]
fn masking_keeps_the_last_four() {
    assert_eq!(
        mask_account_number("123456789").as_deref(),
        Some("****6789")
    );
    assert_eq!(mask_account_number("12").as_deref(), Some("****12"));
    assert_eq!(mask_account_number("  "), None);
}

#[test]
fn a_resync_with_nothing_new_is_unchanged_and_a_new_balance_is_updated() {
    let data = provider_account("100.00");
    let mut a = Account::open(Uuid::nil(), Uuid::nil(), Uuid::nil(), &data, now());
    let later = now() + chrono::Duration::hours(1);
    assert_eq!(a.apply(&data, later), Ok(Change::Unchanged));
    assert_eq!(a.last_synced_at, Some(later));
    assert_eq!(a.updated_at, now());
    // 100.00 and 100.0000 are the same amount.
    assert_eq!(
        a.apply(&provider_account("100.0000"), later),
        Ok(Change::Unchanged)
    );
    assert_eq!(
        a.apply(&provider_account("150.25"), later),
        Ok(Change::Updated)
    );
    assert_eq!(a.balance, d("150.25"));
    let mut other = provider_account("1");
    other.currency = Currency::Eur;
    assert!(
        a.apply(&other, later).is_err(),
        "a currency change is refused"
    );
    assert_eq!(a.currency, Currency::Usd);
}

#[test]
fn credit_balances_count_against_net_worth() {
    let mut card = Account::open(
        Uuid::nil(),
        Uuid::nil(),
        Uuid::nil(),
        &provider_account("250"),
        now(),
    );
    card.account_type = AccountType::CreditCard;
    assert_eq!(card.net_worth_contribution(), d("-250"));
    card.balance = d("-250");
    assert_eq!(card.net_worth_contribution(), d("-250"));
}

#[test]
fn gain_and_loss_round_to_a_hundredth_and_are_zero_without_cost() {
    let h = Holding::open(
        Uuid::nil(),
        Uuid::nil(),
        Uuid::nil(),
        &holding("3", "300", "400"),
        now(),
    );
    assert_eq!(h.unrealized_gain_loss(), d("100"));
    assert_eq!(h.unrealized_gain_loss_percent(), d("33.33"));
    assert!(h.is_profitable());
    let free = Holding::open(
        Uuid::nil(),
        Uuid::nil(),
        Uuid::nil(),
        &holding("1", "0", "50"),
        now(),
    );
    assert_eq!(free.unrealized_gain_loss_percent(), Decimal::ZERO);
    // A short sold for 500 that would now cost 300 to close has gained 200.
    let short = Holding::open(
        Uuid::nil(),
        Uuid::nil(),
        Uuid::nil(),
        &holding("-1", "-500", "-300"),
        now(),
    );
    assert_eq!(short.unrealized_gain_loss(), d("200"));
    assert_eq!(short.unrealized_gain_loss_percent(), d("40.00"));
    assert!(short.is_active);
}

#[test]
fn holdings_change_deactivate_and_come_back() {
    let data = holding("3", "300", "400");
    let mut h = Holding::open(Uuid::nil(), Uuid::nil(), Uuid::nil(), &data, now());
    assert_eq!(h.apply(&data, now()), Change::Unchanged);
    assert_eq!(h.apply(&holding("4", "400", "500"), now()), Change::Updated);
    h.deactivate(now());
    assert!(!h.is_active);
    assert_eq!(
        h.apply(&holding("4", "400", "500"), now()),
        Change::Updated,
        "reopened"
    );
    assert!(h.is_active);
    assert_eq!(h.apply(&holding("0", "0", "0"), now()), Change::Updated);
    assert!(!h.is_active, "a zero position is closed");
}

#[test]
fn a_snapshot_changes_against_the_previous_and_from_zero_has_no_percent() {
    let mut a = Account::open(
        Uuid::nil(),
        Uuid::nil(),
        Uuid::nil(),
        &provider_account("0"),
        now(),
    );
    let first = BalanceSnapshot::capture(
        Uuid::nil(),
        &a,
        None,
        SnapshotSource::InitialConnection,
        None,
        now(),
    );
    assert_eq!((first.change_amount, first.change_percent), (None, None));
    a.balance = d("200");
    let second = BalanceSnapshot::capture(
        Uuid::nil(),
        &a,
        Some(d("150")),
        SnapshotSource::AccountSync,
        Some(&first),
        now(),
    );
    assert_eq!(second.change_amount, Some(d("200")));
    assert_eq!(second.change_percent, None, "no finite percentage from 0");
    assert_eq!(second.cash_value, Some(d("50")));
    a.balance = d("150");
    let third = BalanceSnapshot::capture(
        Uuid::nil(),
        &a,
        None,
        SnapshotSource::HoldingsSync,
        Some(&second),
        now(),
    );
    assert_eq!(third.change_amount, Some(d("-50")));
    assert_eq!(third.change_percent, Some(d("-25.00")));
}
