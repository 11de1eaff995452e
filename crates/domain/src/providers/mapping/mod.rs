//! The providers' classification tables, as pure functions from their wire values
//! (providers.md §3.2–3.3, with the original's defects corrected). An unknown value maps
//! to `other`/`unknown`; callers keep the raw value in `metadata`.

pub mod alpaca;
pub mod schwab;

use rust_decimal::Decimal;

use crate::portfolio::TransactionSubtype;

/// In or out by the sign of the amount; `zero` when it is 0 or unknown.
fn by_sign(
    amount: Option<Decimal>,
    positive: TransactionSubtype,
    negative: TransactionSubtype,
    zero: TransactionSubtype,
) -> TransactionSubtype {
    match amount {
        Some(a) if a.is_sign_positive() && !a.is_zero() => positive,
        Some(a) if a.is_sign_negative() && !a.is_zero() => negative,
        _ => zero,
    }
}
