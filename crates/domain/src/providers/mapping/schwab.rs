//! Schwab Trader API values → Dashtam kinds (providers.md §1.3–1.5, §3.2; D3–D5 fixed).

use rust_decimal::Decimal;

use super::by_sign;
use crate::portfolio::{
    AccountType, AssetType, TransactionStatus, TransactionSubtype, TransactionType,
};

/// The 15 `TransactionType` values the transactions endpoint requires in `types`.
pub const TRANSACTION_TYPES: [&str; 15] = [
    "TRADE",
    "RECEIVE_AND_DELIVER",
    "DIVIDEND_OR_INTEREST",
    "ACH_RECEIPT",
    "ACH_DISBURSEMENT",
    "CASH_RECEIPT",
    "CASH_DISBURSEMENT",
    "ELECTRONIC_FUND",
    "WIRE_OUT",
    "WIRE_IN",
    "JOURNAL",
    "MEMORANDUM",
    "MARGIN_CALL",
    "MONEY_MARKET",
    "SMA_ADJUSTMENT",
];

/// `securitiesAccount.type`: only `CASH` or `MARGIN`, both brokerage accounts. The API
/// does not say whether an account is an IRA, and a nickname ("Roth IRA") is the user's
/// label, not a type (D4), so nothing else is read.
pub fn account_type(wire: &str) -> AccountType {
    match wire {
        "CASH" | "MARGIN" => AccountType::Brokerage,
        _ => AccountType::Other,
    }
}

/// `instrument.assetType` (accounts and transactions). ETFs arrive as
/// `COLLECTIVE_INVESTMENT` (D5); `INDEX`, `FOREX` and `PRODUCT` have no Dashtam kind.
pub fn asset_type(wire: &str) -> AssetType {
    match wire {
        "EQUITY" => AssetType::Equity,
        "COLLECTIVE_INVESTMENT" => AssetType::Etf,
        "MUTUAL_FUND" => AssetType::MutualFund,
        "OPTION" => AssetType::Option,
        "FIXED_INCOME" => AssetType::FixedIncome,
        "CASH_EQUIVALENT" | "CURRENCY" => AssetType::CashEquivalent,
        "FUTURE" => AssetType::Futures,
        _ => AssetType::Other, // INDEX, FOREX, PRODUCT, unknown
    }
}

/// `status`: `VALID` rows happened; `INVALID` ones were voided by Schwab, so they are
/// `cancelled` (not `failed`: nothing the user did went wrong); `UNKNOWN` and anything
/// else is not claimed settled.
pub fn transaction_status(wire: &str) -> TransactionStatus {
    match wire {
        "VALID" => TransactionStatus::Settled,
        "INVALID" => TransactionStatus::Cancelled,
        _ => TransactionStatus::Pending, // PENDING, UNKNOWN, unknown
    }
}

/// What decides a transaction's kind: there is no subtype on the wire, so it comes from
/// `type`, `description`, `netAmount` and the security leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionFacts<'a> {
    /// `type`
    pub kind: &'a str,
    pub description: &'a str,
    pub net_amount: Decimal,
    /// The security leg's `amount`: the quantity, negative on a sell.
    pub leg_amount: Option<Decimal>,
    /// The security leg's `positionEffect` (`OPENING`, `CLOSING`, ...).
    pub position_effect: Option<&'a str>,
}

/// Transaction type and subtype (D3 fixed: dividends and interest told apart, trades
/// from their legs, every real `type` handled).
pub fn transaction_kind(f: &TransactionFacts<'_>) -> (TransactionType, TransactionSubtype) {
    use TransactionSubtype as S;
    use TransactionType as T;
    let description = f.description.to_ascii_uppercase();
    let net = Some(f.net_amount);
    match f.kind {
        "TRADE" => (T::Trade, trade_side(f)),
        "RECEIVE_AND_DELIVER" => match option_event(&description) {
            Some(subtype) => (T::Trade, subtype),
            None => (T::Other, S::Unknown),
        },
        "DIVIDEND_OR_INTEREST" => income(&description, f.net_amount),
        "ACH_RECEIPT" | "CASH_RECEIPT" => (T::Transfer, S::Deposit),
        "WIRE_IN" => (T::Transfer, S::WireIn),
        "ACH_DISBURSEMENT" | "CASH_DISBURSEMENT" => (T::Transfer, S::Withdrawal),
        "WIRE_OUT" => (T::Transfer, S::WireOut),
        "JOURNAL" => (
            T::Transfer,
            by_sign(net, S::TransferIn, S::TransferOut, S::Journal),
        ),
        "ELECTRONIC_FUND" => (
            T::Transfer,
            by_sign(net, S::Deposit, S::Withdrawal, S::Unknown),
        ),
        "SMA_ADJUSTMENT" => (T::Other, S::Adjustment),
        // MARGIN_CALL, MONEY_MARKET, MEMORANDUM and unknown types: kept, unclassified.
        _ => (T::Other, S::Unknown),
    }
}

/// Buy or sell from the security leg's sign (more shares = buy), short from the
/// position effect; without a leg, from the cash direction.
fn trade_side(f: &TransactionFacts<'_>) -> TransactionSubtype {
    use TransactionSubtype as S;
    let opening = f.position_effect == Some("OPENING");
    let closing = f.position_effect == Some("CLOSING");
    match f.leg_amount {
        Some(q) if q > Decimal::ZERO && closing => S::BuyToCover,
        Some(q) if q > Decimal::ZERO => S::Buy,
        Some(q) if q < Decimal::ZERO && opening => S::ShortSell,
        Some(q) if q < Decimal::ZERO => S::Sell,
        _ => by_sign(Some(f.net_amount), S::Sell, S::Buy, S::Unknown),
    }
}

fn option_event(description: &str) -> Option<TransactionSubtype> {
    if description.contains("EXPIR") {
        Some(TransactionSubtype::Expiration)
    } else if description.contains("ASSIGN") {
        Some(TransactionSubtype::Assignment)
    } else if description.contains("EXERCIS") {
        Some(TransactionSubtype::Exercise)
    } else {
        None
    }
}

/// `DIVIDEND_OR_INTEREST` by its description ("ORDINARY DIVIDEND", "BANK INT ...",
/// "LONG TERM CAP GAIN", "MARGIN INTEREST" — the last one is a charge).
fn income(description: &str, net: Decimal) -> (TransactionType, TransactionSubtype) {
    use TransactionSubtype as S;
    use TransactionType as T;
    let word = |w: &str| {
        description
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|x| x == w)
    };
    let interest = description.contains("INTEREST") || word("INT");
    if interest && (description.contains("MARGIN") || net < Decimal::ZERO) {
        (T::Fee, S::MarginInterest)
    } else if description.contains("CAP GAIN") || description.contains("CAPITAL GAIN") {
        (T::Income, S::CapitalGain)
    } else if description.contains("RETURN OF CAPITAL") {
        (T::Income, S::Distribution)
    } else if description.contains("DIVIDEND") || word("DIV") {
        (T::Income, S::Dividend)
    } else if interest {
        (T::Income, S::Interest)
    } else {
        (T::Income, S::Unknown)
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

    fn facts<'a>(kind: &'a str, description: &'a str, net: &str) -> TransactionFacts<'a> {
        TransactionFacts {
            kind,
            description,
            net_amount: d(net),
            leg_amount: None,
            position_effect: None,
        }
    }

    fn trade(leg: &str, effect: Option<&'static str>) -> (T, S) {
        transaction_kind(&TransactionFacts {
            leg_amount: Some(d(leg)),
            position_effect: effect,
            ..facts("TRADE", "", "0")
        })
    }

    #[test]
    fn account_types_come_from_the_api_only() {
        assert_eq!(account_type("CASH"), AccountType::Brokerage);
        assert_eq!(account_type("MARGIN"), AccountType::Brokerage);
        assert_eq!(account_type("ROTH_IRA"), AccountType::Other);
        assert_eq!(account_type(""), AccountType::Other);
    }

    #[test]
    fn every_asset_type_maps_to_an_enum_value() {
        let table = [
            ("EQUITY", AssetType::Equity),
            ("COLLECTIVE_INVESTMENT", AssetType::Etf),
            ("MUTUAL_FUND", AssetType::MutualFund),
            ("OPTION", AssetType::Option),
            ("FIXED_INCOME", AssetType::FixedIncome),
            ("CASH_EQUIVALENT", AssetType::CashEquivalent),
            ("CURRENCY", AssetType::CashEquivalent),
            ("FUTURE", AssetType::Futures),
            ("INDEX", AssetType::Other),
            ("FOREX", AssetType::Other),
            ("PRODUCT", AssetType::Other),
            ("SOMETHING_NEW", AssetType::Other),
        ];
        for (wire, kind) in table {
            assert_eq!(asset_type(wire), kind, "{wire}");
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(transaction_status("VALID"), TransactionStatus::Settled);
        assert_eq!(transaction_status("PENDING"), TransactionStatus::Pending);
        assert_eq!(transaction_status("INVALID"), TransactionStatus::Cancelled);
        assert_eq!(transaction_status("UNKNOWN"), TransactionStatus::Pending);
        assert_eq!(transaction_status("?"), TransactionStatus::Pending);
    }

    #[test]
    fn trades_from_legs_and_position_effect() {
        assert_eq!(trade("10", Some("OPENING")), (T::Trade, S::Buy));
        assert_eq!(trade("10", None), (T::Trade, S::Buy));
        assert_eq!(trade("-10", Some("CLOSING")), (T::Trade, S::Sell));
        assert_eq!(trade("-10", None), (T::Trade, S::Sell));
        assert_eq!(trade("-1", Some("OPENING")), (T::Trade, S::ShortSell));
        assert_eq!(trade("1", Some("CLOSING")), (T::Trade, S::BuyToCover));
        // No security leg: the cash direction decides.
        assert_eq!(
            transaction_kind(&facts("TRADE", "", "-164.85")),
            (T::Trade, S::Buy)
        );
        assert_eq!(
            transaction_kind(&facts("TRADE", "", "99.10")),
            (T::Trade, S::Sell)
        );
        assert_eq!(
            transaction_kind(&facts("TRADE", "", "0")),
            (T::Trade, S::Unknown)
        );
    }

    #[test]
    fn dividends_and_interest_are_told_apart() {
        let table = [
            ("ORDINARY DIVIDEND", "12.50", (T::Income, S::Dividend)),
            ("QUALIFIED DIVIDEND", "3.10", (T::Income, S::Dividend)),
            ("NON-QUALIFIED DIV", "3.10", (T::Income, S::Dividend)),
            ("BANK INT SCHWAB BANK", "0.42", (T::Income, S::Interest)),
            ("INTEREST", "0.42", (T::Income, S::Interest)),
            ("CREDIT INTEREST", "0.42", (T::Income, S::Interest)),
            ("MARGIN INTEREST", "-4.20", (T::Fee, S::MarginInterest)),
            ("INTEREST ADJUSTMENT", "-0.10", (T::Fee, S::MarginInterest)),
            ("LONG TERM CAP GAIN", "8.00", (T::Income, S::CapitalGain)),
            (
                "SHORT TERM CAPITAL GAIN",
                "8.00",
                (T::Income, S::CapitalGain),
            ),
            ("RETURN OF CAPITAL", "2.00", (T::Income, S::Distribution)),
            ("SPECIAL PAYMENT", "2.00", (T::Income, S::Unknown)),
            ("", "2.00", (T::Income, S::Unknown)),
        ];
        for (description, net, kind) in table {
            assert_eq!(
                transaction_kind(&facts("DIVIDEND_OR_INTEREST", description, net)),
                kind,
                "{description}"
            );
        }
        // "INT" must be a word: "INTRA" is not interest.
        assert_eq!(
            transaction_kind(&facts("DIVIDEND_OR_INTEREST", "INTRADAY CREDIT", "1")),
            (T::Income, S::Unknown)
        );
    }

    #[test]
    fn cash_movements() {
        let table = [
            ("ACH_RECEIPT", "500", (T::Transfer, S::Deposit)),
            ("CASH_RECEIPT", "500", (T::Transfer, S::Deposit)),
            ("WIRE_IN", "500", (T::Transfer, S::WireIn)),
            ("ACH_DISBURSEMENT", "-500", (T::Transfer, S::Withdrawal)),
            ("CASH_DISBURSEMENT", "-500", (T::Transfer, S::Withdrawal)),
            ("WIRE_OUT", "-500", (T::Transfer, S::WireOut)),
            ("JOURNAL", "100", (T::Transfer, S::TransferIn)),
            ("JOURNAL", "-100", (T::Transfer, S::TransferOut)),
            ("JOURNAL", "0", (T::Transfer, S::Journal)),
            ("ELECTRONIC_FUND", "100", (T::Transfer, S::Deposit)),
            ("ELECTRONIC_FUND", "-100", (T::Transfer, S::Withdrawal)),
            ("ELECTRONIC_FUND", "0", (T::Transfer, S::Unknown)),
        ];
        for (kind, net, expected) in table {
            assert_eq!(
                transaction_kind(&facts(kind, "", net)),
                expected,
                "{kind} {net}"
            );
        }
    }

    #[test]
    fn the_other_types() {
        let table = [
            (
                "RECEIVE_AND_DELIVER",
                "OPTION EXPIRATION",
                (T::Trade, S::Expiration),
            ),
            ("RECEIVE_AND_DELIVER", "ASSIGNED", (T::Trade, S::Assignment)),
            (
                "RECEIVE_AND_DELIVER",
                "OPTION EXERCISE",
                (T::Trade, S::Exercise),
            ),
            (
                "RECEIVE_AND_DELIVER",
                "TRANSFER OF SECURITY",
                (T::Other, S::Unknown),
            ),
            ("MARGIN_CALL", "", (T::Other, S::Unknown)),
            ("MONEY_MARKET", "", (T::Other, S::Unknown)),
            ("SMA_ADJUSTMENT", "", (T::Other, S::Adjustment)),
            ("MEMORANDUM", "", (T::Other, S::Unknown)),
            ("SOMETHING_NEW", "", (T::Other, S::Unknown)),
        ];
        for (kind, description, expected) in table {
            assert_eq!(
                transaction_kind(&facts(kind, description, "0")),
                expected,
                "{kind}"
            );
        }
    }

    #[test]
    fn the_types_list_has_every_value_once() {
        let mut all = TRANSACTION_TYPES.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 15);
    }
}
