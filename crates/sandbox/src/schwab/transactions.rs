//! The seeded Schwab transactions. Every row is a function of (profile, account, calendar
//! date, index in the day), so a date keeps its rows and ids as the clock moves on and
//! re-syncs dedupe.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::{
    accounts::{Account, Role},
    dates, mix,
    securities::Sec,
};
use crate::{Profile, hash, money::Dec};

pub(crate) enum Body {
    /// A security leg (signed quantity) after its fee legs.
    Trade {
        sec: &'static Sec,
        quantity: Dec,
        price: Dec,
        fees: Vec<(&'static str, Dec)>,
        effect: &'static str,
    },
    /// A dividend (with its security) or interest (cash leg only).
    Income {
        sec: Option<&'static Sec>,
        amount: Dec,
    },
    /// ACH, journal and wire movements: one cash leg.
    Cash { amount: Dec },
}

pub(crate) struct Txn {
    pub id: i64,
    pub time: DateTime<Utc>,
    pub kind: &'static str,
    pub description: &'static str,
    pub body: Body,
}

impl Txn {
    /// The legs' `cost`s; their sum is `netAmount`.
    pub fn costs(&self) -> Vec<Dec> {
        match &self.body {
            Body::Trade {
                sec,
                quantity,
                price,
                fees,
                ..
            } => {
                let mut c: Vec<Dec> = fees.iter().map(|(_, f)| -*f).collect();
                c.push(-quantity.mul(*price).times(sec.multiplier()).round(2));
                c
            }
            Body::Income { amount, .. } | Body::Cash { amount } => vec![*amount],
        }
    }

    pub fn net_amount(&self) -> Dec {
        self.costs().into_iter().sum()
    }

    /// The security symbol, for the `symbol` filter.
    pub fn symbol(&self) -> Option<&'static str> {
        match &self.body {
            Body::Trade { sec, .. } | Body::Income { sec: Some(sec), .. } => Some(sec.symbol),
            _ => None,
        }
    }
}

/// Rows on `date` (`back` days before today) for an account.
fn rows_on(profile: Profile, role: Role, date: NaiveDate, back: i64, seed: u64) -> u64 {
    let h = hash::mix(&[seed, date.num_days_from_ce() as u64, 0xd1]);
    match (profile, role) {
        (_, Role::Empty) => 0,
        (Profile::Bulk, Role::Margin) => 25,
        (Profile::Bulk, Role::Roth) => 2 + u64::from(back <= 145),
        (_, _) if !dates::is_weekday(date) => 0,
        (_, Role::Margin) => 1 + u64::from(h.is_multiple_of(3)),
        (_, Role::Roth) => u64::from(h.is_multiple_of(4)),
    }
}

/// Days of history: about 90 for the investor, a year (365 days) for bulk.
fn history_days(profile: Profile) -> i64 {
    if profile == Profile::Bulk { 365 } else { 90 }
}

/// The account's transactions, newest first, the days before `today` only.
pub(crate) fn generate(
    profile: Profile,
    account: &Account,
    index: u64,
    today: NaiveDate,
) -> Vec<Txn> {
    let seed = hash::text(&account.number);
    let mut out = Vec::new();
    for back in 1..=history_days(profile) {
        let date = today - Duration::days(back);
        for k in 0..rows_on(profile, account.role, date, back, seed) {
            out.push(mix::row(profile, account, index, date, k, seed));
        }
    }
    out.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::schwab::accounts::accounts;

    #[test]
    fn the_investor_mix_holds_whatever_the_day() {
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for offset in 0..60 {
            let today = first + Duration::days(offset * 6);
            let mut kinds = BTreeSet::new();
            let mut rows = 0;
            for (i, a) in accounts(Profile::Investor).iter().enumerate() {
                for t in generate(Profile::Investor, a, i as u64, today) {
                    kinds.insert(t.kind);
                    rows += 1;
                    assert!(t.time < today.and_time(chrono::NaiveTime::MIN).and_utc());
                }
            }
            assert!((60..=120).contains(&rows), "{today}: {rows}");
            assert_eq!(kinds.len(), 6, "{today}: {kinds:?}");
        }
        let bulk: usize = accounts(Profile::Bulk)
            .iter()
            .enumerate()
            .map(|(i, a)| generate(Profile::Bulk, a, i as u64, first).len())
            .sum();
        assert_eq!(bulk, 10_000);
    }
}
