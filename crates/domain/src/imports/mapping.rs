//! How a statement file's own classifications map into Dashtam's: OFX `TRNTYPE` and
//! `ACCTTYPE`, and the `Details`/`Type` columns of Chase's CSV exports. Pure tables; every
//! lookup is case-insensitive and every value not listed lands on a safe default
//! (`other/unknown`, `AccountType::Other`), since banks invent values.
//!
//! | OFX `TRNTYPE` | type / subtype |
//! |---|---|
//! | `DEP`, `DIRECTDEP` | transfer / deposit |
//! | `ATM`, `CASH` | transfer / withdrawal |
//! | `INT` | income / interest |
//! | `DIV` | income / dividend |
//! | `FEE`, `SRVCHG` | fee / account_fee |
//! | `XFER` | transfer / transfer_in when the amount is ≥ 0, else transfer_out |
//! | `CREDIT`, `DEBIT`, `POS`, `CHECK`, `PAYMENT`, `DIRECTDEBIT`, `REPEATPMT`, `HOLD`, `OTHER`, anything else | other / unknown |
//!
//! | OFX `ACCTTYPE` | account type |
//! |---|---|
//! | `CHECKING` | checking |
//! | `SAVINGS` | savings |
//! | `CREDITLINE` | line_of_credit |
//! | `MONEYMRKT` | money_market |
//! | `CD` | cd |
//! | anything else | other |
//! | (a `CCSTMTRS`, which has no `ACCTTYPE`) | credit_card |
//!
//! Chase checking/savings CSV: the `Type` column decides; `Details` only where `Type` says
//! nothing (blank or unknown).
//!
//! | `Type` | type / subtype |
//! |---|---|
//! | `FEE_TRANSACTION` | fee / account_fee |
//! | `ACCT_XFER`, `QUICKPAY_CREDIT`, `QUICKPAY_DEBIT` (Zelle) | transfer / transfer_in when ≥ 0, else transfer_out |
//! | `DEPOSIT`, `ACH_CREDIT`, `CHECK_DEPOSIT` | transfer / deposit |
//! | `ATM`, `ATM_WITHDRAWAL` | transfer / withdrawal |
//! | `WIRE_INCOMING` | transfer / wire_in |
//! | `WIRE_OUTGOING` | transfer / wire_out |
//! | `INTEREST` | income / interest |
//! | `ACH_DEBIT`, `ACH_PAYMENT`, `DEBIT_CARD`, `REFUND_TRANSACTION`, `CHECK_PAID`, `BILLPAY`, `LOAN_PMT`, `MISC_DEBIT`, `MISC_CREDIT`, anything else | other / unknown |
//! | (`Type` blank) `Details` = `DSLIP` (a deposit slip) | transfer / deposit |
//! | (`Type` blank) any other `Details` (`DEBIT`, `CREDIT`, `CHECK`) | other / unknown |
//!
//! Chase credit-card CSV `Type`:
//!
//! | `Type` | type / subtype |
//! |---|---|
//! | `Payment` | transfer / transfer_in (money into the card account) |
//! | `Fee` | fee / account_fee |
//! | `Sale`, `Return`, `Adjustment`, anything else | other / unknown |

use rust_decimal::Decimal;

use crate::portfolio::{AccountType, TransactionSubtype, TransactionType};

/// A classification: the transaction's type and subtype.
pub type Kind = (TransactionType, TransactionSubtype);

const UNKNOWN: Kind = (TransactionType::Other, TransactionSubtype::Unknown);

fn transfer_by_sign(amount: Decimal) -> Kind {
    if amount.is_sign_negative() && !amount.is_zero() {
        (TransactionType::Transfer, TransactionSubtype::TransferOut)
    } else {
        (TransactionType::Transfer, TransactionSubtype::TransferIn)
    }
}

/// OFX `TRNTYPE` with the row's signed amount (only `XFER` looks at it).
pub fn ofx_transaction_kind(trntype: &str, amount: Decimal) -> Kind {
    use TransactionSubtype as S;
    use TransactionType as T;
    let t = trntype.trim();
    let is = |name: &str| t.eq_ignore_ascii_case(name);
    if is("DEP") || is("DIRECTDEP") {
        (T::Transfer, S::Deposit)
    } else if is("ATM") || is("CASH") {
        (T::Transfer, S::Withdrawal)
    } else if is("INT") {
        (T::Income, S::Interest)
    } else if is("DIV") {
        (T::Income, S::Dividend)
    } else if is("FEE") || is("SRVCHG") {
        (T::Fee, S::AccountFee)
    } else if is("XFER") {
        transfer_by_sign(amount)
    } else {
        UNKNOWN
    }
}

/// OFX `ACCTTYPE` of a bank statement (`BANKACCTFROM`).
pub fn ofx_account_type(accttype: &str) -> AccountType {
    let t = accttype.trim();
    let is = |name: &str| t.eq_ignore_ascii_case(name);
    if is("CHECKING") {
        AccountType::Checking
    } else if is("SAVINGS") {
        AccountType::Savings
    } else if is("CREDITLINE") {
        AccountType::LineOfCredit
    } else if is("MONEYMRKT") {
        AccountType::MoneyMarket
    } else if is("CD") {
        AccountType::Cd
    } else {
        AccountType::Other
    }
}

/// A Chase checking/savings CSV row's `Details` and `Type` columns.
pub fn chase_checking_kind(details: &str, chase_type: &str, amount: Decimal) -> Kind {
    use TransactionSubtype as S;
    use TransactionType as T;
    let t = chase_type.trim();
    let is = |name: &str| t.eq_ignore_ascii_case(name);
    if is("FEE_TRANSACTION") {
        (T::Fee, S::AccountFee)
    } else if is("ACCT_XFER") || is("QUICKPAY_CREDIT") || is("QUICKPAY_DEBIT") {
        transfer_by_sign(amount)
    } else if is("DEPOSIT") || is("ACH_CREDIT") || is("CHECK_DEPOSIT") {
        (T::Transfer, S::Deposit)
    } else if is("ATM") || is("ATM_WITHDRAWAL") {
        (T::Transfer, S::Withdrawal)
    } else if is("WIRE_INCOMING") {
        (T::Transfer, S::WireIn)
    } else if is("WIRE_OUTGOING") {
        (T::Transfer, S::WireOut)
    } else if is("INTEREST") {
        (T::Income, S::Interest)
    } else if t.is_empty() && details.trim().eq_ignore_ascii_case("DSLIP") {
        (T::Transfer, S::Deposit)
    } else {
        UNKNOWN
    }
}

/// A Chase credit-card CSV row's `Type` column.
pub fn chase_card_kind(chase_type: &str) -> Kind {
    use TransactionSubtype as S;
    use TransactionType as T;
    let t = chase_type.trim();
    if t.eq_ignore_ascii_case("Payment") {
        (T::Transfer, S::TransferIn)
    } else if t.eq_ignore_ascii_case("Fee") {
        (T::Fee, S::AccountFee)
    } else {
        UNKNOWN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransactionSubtype as S;
    use TransactionType as T;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn every_ofx_trntype_maps_in_any_case() {
        let table: &[(&str, Kind)] = &[
            ("DEP", (T::Transfer, S::Deposit)),
            ("DIRECTDEP", (T::Transfer, S::Deposit)),
            ("ATM", (T::Transfer, S::Withdrawal)),
            ("CASH", (T::Transfer, S::Withdrawal)),
            ("INT", (T::Income, S::Interest)),
            ("DIV", (T::Income, S::Dividend)),
            ("FEE", (T::Fee, S::AccountFee)),
            ("SRVCHG", (T::Fee, S::AccountFee)),
        ];
        for (trntype, kind) in table {
            assert_eq!(ofx_transaction_kind(trntype, d("-1")), *kind, "{trntype}");
            let lower = trntype.to_ascii_lowercase();
            assert_eq!(ofx_transaction_kind(&lower, d("1")), *kind, "{lower}");
        }
        for other in [
            "CREDIT",
            "DEBIT",
            "POS",
            "CHECK",
            "PAYMENT",
            "DIRECTDEBIT",
            "REPEATPMT",
            "HOLD",
            "OTHER",
            "SOMETHING",
            "",
        ] {
            assert_eq!(ofx_transaction_kind(other, d("-5")), UNKNOWN, "{other}");
        }
    }

    #[test]
    fn xfer_goes_in_or_out_by_sign() {
        assert_eq!(ofx_transaction_kind("XFER", d("10")).1, S::TransferIn);
        assert_eq!(ofx_transaction_kind("xfer", d("0")).1, S::TransferIn);
        assert_eq!(ofx_transaction_kind(" Xfer ", d("-0.01")).1, S::TransferOut);
    }

    #[test]
    fn every_ofx_accttype_maps() {
        let table = [
            ("CHECKING", AccountType::Checking),
            ("savings", AccountType::Savings),
            ("CREDITLINE", AccountType::LineOfCredit),
            ("MoneyMrkt", AccountType::MoneyMarket),
            ("CD", AccountType::Cd),
            ("BROKERAGE", AccountType::Other),
            ("", AccountType::Other),
        ];
        for (raw, want) in table {
            assert_eq!(ofx_account_type(raw), want, "{raw}");
        }
    }

    #[test]
    fn chase_csv_types_map() {
        let k = chase_checking_kind;
        assert_eq!(
            k("DEBIT", "FEE_TRANSACTION", d("-12")),
            (T::Fee, S::AccountFee)
        );
        assert_eq!(k("DEBIT", "ACCT_XFER", d("-2500")).1, S::TransferOut);
        assert_eq!(k("CREDIT", "acct_xfer", d("2500")).1, S::TransferIn);
        assert_eq!(
            k("CREDIT", "ACH_CREDIT", d("10")),
            (T::Transfer, S::Deposit)
        );
        assert_eq!(k("DSLIP", "DEPOSIT", d("10")), (T::Transfer, S::Deposit));
        assert_eq!(k("DSLIP", "", d("10")), (T::Transfer, S::Deposit));
        assert_eq!(k("DEBIT", "WIRE_OUTGOING", d("-10")).1, S::WireOut);
        assert_eq!(k("DEBIT", "DEBIT_CARD", d("-10")), UNKNOWN);
        assert_eq!(k("CHECK", "", d("-10")), UNKNOWN);
        assert_eq!(chase_card_kind("Payment"), (T::Transfer, S::TransferIn));
        assert_eq!(chase_card_kind("fee"), (T::Fee, S::AccountFee));
        assert_eq!(chase_card_kind("Sale"), UNKNOWN);
        assert_eq!(chase_card_kind("Return"), UNKNOWN);
    }
}
