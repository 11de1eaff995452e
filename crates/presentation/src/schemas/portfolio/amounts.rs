//! Money and quantities on the wire: decimal strings with fixed places, never floats.

use std::collections::BTreeMap;

use dashtam_application::portfolio::ByCurrency;
use dashtam_domain::portfolio::{MONEY_DP, QUANTITY_DP, fixed};
use rust_decimal::Decimal;

/// A money amount: `"1234.5600"`.
pub fn money(d: Decimal) -> String {
    fixed(d, MONEY_DP)
}

pub fn money_opt(d: Option<Decimal>) -> Option<String> {
    d.map(money)
}

/// A quantity: `"10.00000000"`.
pub fn quantity(d: Decimal) -> String {
    fixed(d, QUANTITY_DP)
}

/// A percentage: `"12.34"`.
pub fn percent(d: Decimal) -> String {
    fixed(d, 2)
}

/// `{"USD": "123.4500"}`.
pub fn per_currency(totals: &ByCurrency) -> BTreeMap<String, String> {
    totals
        .iter()
        .map(|(c, d)| (c.to_string(), money(*d)))
        .collect()
}
