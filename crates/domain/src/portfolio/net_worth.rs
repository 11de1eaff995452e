//! Net worth over time: a daily series from balance snapshots.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::portfolio::{Account, BalanceSnapshot};

/// Net worth at the end of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetWorthPoint {
    pub date: NaiveDate,
    pub net_worth: Decimal,
    /// How many accounts had a snapshot on or before that day (the rest are not counted).
    pub accounts: u32,
}

/// One account's part in a series: the account (its type says whether it is owed) and
/// its snapshots, oldest first — the last one at or before the series' start included.
pub struct AccountHistory<'a> {
    pub account: &'a Account,
    pub snapshots: &'a [BalanceSnapshot],
}

/// What a snapshot adds to net worth: its balance, or minus it for money owed (credit
/// cards, lines of credit, loans, mortgages), whatever sign the provider reported.
pub fn contribution(account: &Account, balance: Decimal) -> Decimal {
    if account.account_type.is_credit() {
        -balance.abs()
    } else {
        balance
    }
}

/// One point per day from `start` to `end` (inclusive): each account counts with its last
/// snapshot captured on or before that day (UTC); an account with none yet is left out.
/// Gaps between snapshots carry the last balance forward. The histories are all of one
/// currency (the caller's choice): amounts are never added across currencies.
pub fn daily_net_worth(
    histories: &[AccountHistory<'_>],
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<NetWorthPoint> {
    let mut cursors = vec![0usize; histories.len()];
    let mut points = Vec::new();
    let mut day = start;
    while day <= end {
        let Some(next) = day.succ_opt() else { break };
        let day_ends = next.and_time(NaiveTime::MIN).and_utc();
        let (mut net_worth, mut accounts) = (Decimal::ZERO, 0u32);
        for (history, cursor) in histories.iter().zip(cursors.iter_mut()) {
            while *cursor < history.snapshots.len()
                && history.snapshots[*cursor].captured_at < day_ends
            {
                *cursor += 1;
            }
            if let Some(last) = cursor.checked_sub(1).map(|i| &history.snapshots[i]) {
                net_worth += contribution(history.account, last.balance);
                accounts += 1;
            }
        }
        points.push(NetWorthPoint {
            date: day,
            net_worth,
            accounts,
        });
        day = next;
    }
    points
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::{DateTime, Duration, Utc};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::portfolio::{AccountType, Currency, SnapshotSource};
    use crate::providers::ProviderAccount;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
    }

    /// Noon UTC of day `n`, plus `minutes`.
    fn at(n: u32, minutes: i64) -> DateTime<Utc> {
        day(n).and_hms_opt(12, 0, 0).unwrap().and_utc() + Duration::minutes(minutes)
    }

    fn account(kind: AccountType, currency: Currency) -> Account {
        let data = ProviderAccount {
            provider_account_id: Uuid::now_v7().to_string(),
            account_number_masked: None,
            name: "a".into(),
            account_type: kind,
            currency,
            balance: Decimal::ZERO,
            available_balance: None,
            is_active: true,
            metadata: json!({}),
        };
        Account::open(Uuid::now_v7(), Uuid::nil(), Uuid::nil(), &data, at(1, 0))
    }

    fn snapshot(account: &Account, balance: &str, when: DateTime<Utc>) -> BalanceSnapshot {
        let mut a = account.clone();
        a.balance = d(balance);
        BalanceSnapshot::capture(
            Uuid::now_v7(),
            &a,
            None,
            SnapshotSource::ScheduledSync,
            None,
            when,
        )
    }

    #[test]
    fn gaps_carry_the_last_balance_forward_and_the_last_of_a_day_wins() {
        let a = account(AccountType::Brokerage, Currency::Usd);
        let snaps = [
            snapshot(&a, "100", at(2, 0)),
            snapshot(&a, "150", at(2, 60)),
            snapshot(&a, "90", at(5, 0)),
        ];
        let series = daily_net_worth(
            &[AccountHistory {
                account: &a,
                snapshots: &snaps,
            }],
            day(1),
            day(6),
        );
        let values: Vec<_> = series.iter().map(|p| (p.net_worth, p.accounts)).collect();
        assert_eq!(
            values,
            [
                (d("0"), 0), // no snapshot yet: not counted
                (d("150"), 1),
                (d("150"), 1),
                (d("150"), 1),
                (d("90"), 1),
                (d("90"), 1),
            ]
        );
        assert_eq!(series[0].date, day(1));
        assert_eq!(series[5].date, day(6));
    }

    #[test]
    fn liabilities_subtract_whatever_sign_the_provider_gave() {
        let cash = account(AccountType::Checking, Currency::Usd);
        let card = account(AccountType::CreditCard, Currency::Usd);
        let loan = account(AccountType::Mortgage, Currency::Usd);
        let (s1, s2, s3) = (
            [snapshot(&cash, "1000.25", at(1, 0))],
            [snapshot(&card, "200.10", at(1, 0))],
            [snapshot(&loan, "-500", at(1, 0))],
        );
        let histories = [
            AccountHistory {
                account: &cash,
                snapshots: &s1,
            },
            AccountHistory {
                account: &card,
                snapshots: &s2,
            },
            AccountHistory {
                account: &loan,
                snapshots: &s3,
            },
        ];
        let series = daily_net_worth(&histories, day(1), day(1));
        assert_eq!(series[0].net_worth, d("300.15"));
        assert_eq!(series[0].accounts, 3);
    }

    #[test]
    fn a_snapshot_at_midnight_belongs_to_the_day_it_starts() {
        let a = account(AccountType::Savings, Currency::Eur);
        let midnight = day(3).and_hms_opt(0, 0, 0).unwrap().and_utc();
        let snaps = [
            snapshot(&a, "10", midnight - Duration::nanoseconds(1)),
            snapshot(&a, "20", midnight),
        ];
        let series = daily_net_worth(
            &[AccountHistory {
                account: &a,
                snapshots: &snaps,
            }],
            day(2),
            day(3),
        );
        assert_eq!(series[0].net_worth, d("10"));
        assert_eq!(series[1].net_worth, d("20"));
    }

    #[test]
    fn an_empty_or_inverted_range_has_no_points() {
        assert!(daily_net_worth(&[], day(3), day(2)).is_empty());
        assert_eq!(daily_net_worth(&[], day(2), day(2)).len(), 1);
    }
}
