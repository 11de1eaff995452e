//! Money: a `Decimal` amount in one of the supported currencies. Never `f64`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

crate::named_enum! {
    /// The currencies Dashtam accepts (ISO 4217): the original's whitelist of 24 (its docs
    /// say 25, its code lists these).
    pub enum Currency {
        Usd = "USD", Eur = "EUR", Gbp = "GBP", Jpy = "JPY", Chf = "CHF", Cad = "CAD",
        Aud = "AUD", Nzd = "NZD", Cny = "CNY", Hkd = "HKD", Sgd = "SGD", Krw = "KRW",
        Inr = "INR", Twd = "TWD", Sek = "SEK", Nok = "NOK", Dkk = "DKK", Pln = "PLN",
        Czk = "CZK", Mxn = "MXN", Brl = "BRL", Zar = "ZAR", Rub = "RUB", Try = "TRY",
    }
}

impl Currency {
    /// A code as providers and files write it (`usd`, ` USD `).
    pub fn parse_code(code: &str) -> Option<Self> {
        Self::parse(&code.trim().to_ascii_uppercase())
    }
}

/// Decimal places kept for money amounts and for quantities.
pub const MONEY_DP: u32 = 4;
pub const QUANTITY_DP: u32 = 8;

/// An amount in a currency. Arithmetic across currencies is refused, not converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("currency mismatch: {0} and {1}")]
pub struct CurrencyMismatch(pub Currency, pub Currency);

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money::new(self.amount + other.amount, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money::new(self.amount - other.amount, self.currency))
    }

    fn same_currency(self, other: Money) -> Result<(), CurrencyMismatch> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(CurrencyMismatch(self.currency, other.currency))
        }
    }
}

/// `amount` with exactly `dp` places, rounded half away from zero ("1234.5600").
pub fn fixed(amount: Decimal, dp: u32) -> String {
    let mut d = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(dp);
    d.to_string()
}

/// `(new - old) / |old| * 100` to 0.01, or `None` when `old` is 0 (no finite percentage).
pub fn percent_change(old: Decimal, new: Decimal) -> Option<Decimal> {
    if old.is_zero() {
        return None;
    }
    Some(((new - old) / old.abs() * Decimal::ONE_HUNDRED).round_dp(2))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_whitelist_parses_from_any_case() {
        assert_eq!(Currency::ALL.len(), 24);
        assert_eq!(Currency::parse_code(" usd "), Some(Currency::Usd));
        assert_eq!(Currency::parse_code("XXX"), None);
        assert_eq!(
            serde_json::to_value(Currency::Eur).unwrap(),
            serde_json::json!("EUR")
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::new(d("1.10"), Currency::Usd);
        let b = Money::new(d("2.20"), Currency::Usd);
        assert_eq!(a.checked_add(b).unwrap().amount, d("3.30"));
        assert_eq!(b.checked_sub(a).unwrap().amount, d("1.10"));
        let e = Money::new(d("1"), Currency::Eur);
        assert_eq!(
            a.checked_add(e),
            Err(CurrencyMismatch(Currency::Usd, Currency::Eur))
        );
    }

    #[test]
    fn fixed_places_round_half_away_from_zero() {
        assert_eq!(fixed(d("1234.56"), 4), "1234.5600");
        assert_eq!(fixed(d("0.00005"), 4), "0.0001");
        assert_eq!(fixed(d("-0.00005"), 4), "-0.0001");
        assert_eq!(fixed(d("5"), 8), "5.00000000");
        // Decimal keeps what f64 would lose.
        assert_eq!(fixed(d("0.1") + d("0.2"), 4), "0.3000");
    }

    #[test]
    fn percent_change_is_none_from_zero() {
        assert_eq!(percent_change(d("100"), d("110")), Some(d("10.00")));
        assert_eq!(percent_change(d("-100"), d("-50")), Some(d("50.00")));
        assert_eq!(percent_change(d("3"), d("4")), Some(d("33.33")));
        assert_eq!(percent_change(Decimal::ZERO, d("5")), None);
    }
}
