//! Net worth per currency: every active account's balance, money owed counted negative.

use std::collections::BTreeMap;

use dashtam_domain::{
    platform::events::{DomainEvent, EventPayload},
    portfolio::{Account, Currency, MONEY_DP, fixed},
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::EventBatch;

pub(crate) fn net_worth(accounts: &[Account]) -> BTreeMap<Currency, (Decimal, u32)> {
    let mut totals: BTreeMap<Currency, (Decimal, u32)> = BTreeMap::new();
    for a in accounts.iter().filter(|a| a.is_active) {
        let entry = totals.entry(a.currency).or_default();
        entry.0 += a.net_worth_contribution();
        entry.1 += 1;
    }
    totals
}

/// One `PortfolioNetWorthRecalculated` per currency whose net worth moved.
pub(crate) fn net_worth_events(
    events: &EventBatch,
    user_id: Uuid,
    before: &[Account],
    after: &[Account],
) -> Vec<DomainEvent> {
    let old = net_worth(before);
    let new = net_worth(after);
    let currencies: std::collections::BTreeSet<_> = old.keys().chain(new.keys()).collect();
    currencies
        .into_iter()
        .filter_map(|c| {
            let (was, _) = old.get(c).copied().unwrap_or_default();
            let (now, count) = new.get(c).copied().unwrap_or_default();
            (was != now).then(|| {
                events.event(
                    Some(user_id),
                    EventPayload::PortfolioNetWorthRecalculated {
                        currency: c.to_string(),
                        previous_net_worth: fixed(was, MONEY_DP),
                        new_net_worth: fixed(now, MONEY_DP),
                        delta: fixed(now - was, MONEY_DP),
                        account_count: count,
                    },
                )
            })
        })
        .collect()
}
