//! Alpaca Trading API values → Dashtam kinds (providers.md §2, §3.3; D7 fixed).

use rust_decimal::Decimal;

use super::by_sign;
use crate::portfolio::{AssetType, TransactionStatus, TransactionSubtype, TransactionType};

/// A position's `asset_class` (D7: `us_option` is an option, not `other`).
pub fn asset_class(wire: &str) -> AssetType {
    match wire {
        "us_equity" => AssetType::Equity,
        "us_option" => AssetType::Option,
        "crypto" => AssetType::Cryptocurrency,
        // A perpetual future on a crypto asset.
        "crypto_perp" => AssetType::Futures,
        _ => AssetType::Other,
    }
}

/// An activity's type and subtype from `activity_type`, a FILL's `side`, and the
/// activity's `net_amount` (journals go in or out by its sign).
pub fn activity_kind(
    activity_type: &str,
    side: Option<&str>,
    net_amount: Option<Decimal>,
) -> (TransactionType, TransactionSubtype) {
    use TransactionSubtype as S;
    use TransactionType as T;
    match activity_type {
        "FILL" => (T::Trade, fill_side(side)),
        "CSD" => (T::Transfer, S::Deposit),
        "CSW" => (T::Transfer, S::Withdrawal),
        "DIVROC" => (T::Income, S::Distribution),
        "DIVCGL" | "DIVCGS" => (T::Income, S::CapitalGain),
        "DIVFEE" => (T::Fee, S::OtherFee),
        t if t.starts_with("DIV") => (T::Income, S::Dividend),
        t if t.starts_with("INT") => (T::Income, S::Interest),
        "FEE" => (T::Fee, S::AccountFee),
        // Alpaca's fee on crypto trades.
        "CFEE" => (T::Fee, S::Commission),
        // Pass-through charges (regulatory fees).
        "PTC" => (T::Fee, S::OtherFee),
        "JNLC" | "JNLS" | "JNL" => (
            T::Transfer,
            by_sign(net_amount, S::TransferIn, S::TransferOut, S::Journal),
        ),
        "OPEXP" => (T::Trade, S::Expiration),
        "OPASN" => (T::Trade, S::Assignment),
        "OPEXC" => (T::Trade, S::Exercise),
        _ => (T::Other, S::Unknown),
    }
}

fn fill_side(side: Option<&str>) -> TransactionSubtype {
    match side {
        Some("buy") => TransactionSubtype::Buy,
        Some("sell") => TransactionSubtype::Sell,
        Some("sell_short") => TransactionSubtype::ShortSell,
        Some("buy_to_cover") => TransactionSubtype::BuyToCover,
        _ => TransactionSubtype::Unknown,
    }
}

/// Whether a FILL's `side` takes cash out of the account (its amount is negative).
pub fn fill_pays(side: &str) -> bool {
    matches!(side, "buy" | "buy_to_cover")
}

/// A non-trade activity's `status` (`executed`, `correct`, `canceled`); a FILL has none
/// and is settled when reported.
pub fn activity_status(wire: Option<&str>) -> TransactionStatus {
    match wire {
        None | Some("executed" | "correct" | "filled" | "partially_filled") => {
            TransactionStatus::Settled
        }
        Some("canceled" | "cancelled") => TransactionStatus::Cancelled,
        Some("rejected" | "failed") => TransactionStatus::Failed,
        Some(_) => TransactionStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use TransactionSubtype as S;
    use TransactionType as T;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn asset_classes() {
        assert_eq!(asset_class("us_equity"), AssetType::Equity);
        assert_eq!(asset_class("us_option"), AssetType::Option);
        assert_eq!(asset_class("crypto"), AssetType::Cryptocurrency);
        assert_eq!(asset_class("crypto_perp"), AssetType::Futures);
        assert_eq!(asset_class("etf"), AssetType::Other);
        assert_eq!(asset_class(""), AssetType::Other);
    }

    #[test]
    fn fills_by_side() {
        let table = [
            (Some("buy"), S::Buy),
            (Some("sell"), S::Sell),
            (Some("sell_short"), S::ShortSell),
            (Some("buy_to_cover"), S::BuyToCover),
            (Some("sideways"), S::Unknown),
            (None, S::Unknown),
        ];
        for (side, subtype) in table {
            assert_eq!(
                activity_kind("FILL", side, None),
                (T::Trade, subtype),
                "{side:?}"
            );
        }
        assert!(fill_pays("buy") && fill_pays("buy_to_cover"));
        assert!(!fill_pays("sell") && !fill_pays("sell_short"));
    }

    #[test]
    fn non_trade_activities() {
        let table = [
            ("CSD", (T::Transfer, S::Deposit)),
            ("CSW", (T::Transfer, S::Withdrawal)),
            ("DIV", (T::Income, S::Dividend)),
            ("DIVNRA", (T::Income, S::Dividend)),
            ("DIVTXEX", (T::Income, S::Dividend)),
            ("DIVWH", (T::Income, S::Dividend)),
            ("DIVROC", (T::Income, S::Distribution)),
            ("DIVCGL", (T::Income, S::CapitalGain)),
            ("DIVCGS", (T::Income, S::CapitalGain)),
            ("DIVFEE", (T::Fee, S::OtherFee)),
            ("INT", (T::Income, S::Interest)),
            ("INTNRA", (T::Income, S::Interest)),
            ("FEE", (T::Fee, S::AccountFee)),
            ("CFEE", (T::Fee, S::Commission)),
            ("PTC", (T::Fee, S::OtherFee)),
            ("OPEXP", (T::Trade, S::Expiration)),
            ("OPASN", (T::Trade, S::Assignment)),
            ("OPEXC", (T::Trade, S::Exercise)),
            ("ACATC", (T::Other, S::Unknown)),
            ("MA", (T::Other, S::Unknown)),
            ("SPLIT", (T::Other, S::Unknown)),
            ("NEWTYPE", (T::Other, S::Unknown)),
        ];
        for (wire, kind) in table {
            assert_eq!(activity_kind(wire, None, Some(d("1"))), kind, "{wire}");
        }
    }

    #[test]
    fn journals_by_sign() {
        for j in ["JNLC", "JNLS", "JNL"] {
            assert_eq!(
                activity_kind(j, None, Some(d("25"))),
                (T::Transfer, S::TransferIn)
            );
            assert_eq!(
                activity_kind(j, None, Some(d("-25"))),
                (T::Transfer, S::TransferOut)
            );
            assert_eq!(activity_kind(j, None, None), (T::Transfer, S::Journal));
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(activity_status(None), TransactionStatus::Settled);
        assert_eq!(
            activity_status(Some("executed")),
            TransactionStatus::Settled
        );
        assert_eq!(activity_status(Some("correct")), TransactionStatus::Settled);
        assert_eq!(activity_status(Some("filled")), TransactionStatus::Settled);
        assert_eq!(
            activity_status(Some("partially_filled")),
            TransactionStatus::Settled
        );
        assert_eq!(
            activity_status(Some("canceled")),
            TransactionStatus::Cancelled
        );
        assert_eq!(activity_status(Some("rejected")), TransactionStatus::Failed);
        assert_eq!(activity_status(Some("queued")), TransactionStatus::Pending);
    }
}
