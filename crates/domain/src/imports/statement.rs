//! What a statement file holds once parsed: its accounts, their balances and their rows,
//! already mapped into Dashtam's classifications, with the file's own values kept in
//! `metadata` so nothing in the file is lost.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::portfolio::{AccountType, Currency, TransactionSubtype, TransactionType};

use super::{FileFormat, RowMetadata};

/// The file as uploaded, with what the form said about it.
#[derive(Debug, Clone, Copy)]
pub struct StatementFile<'a> {
    pub file_name: &'a str,
    pub format: FileFormat,
    pub bytes: &'a [u8],
    pub hints: &'a ImportHints,
}

/// Form fields for files that carry no account (CSV); an OFX file's own values win.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportHints {
    pub account_number: Option<String>,
    pub account_name: Option<String>,
    pub account_type: Option<AccountType>,
    pub currency: Option<Currency>,
    /// A generic CSV shows charges as positive amounts (Amex, Discover): negate them.
    pub charges_positive: bool,
}

/// Every statement in the file (OFX files may hold several).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub accounts: Vec<StatementAccount>,
}

impl Statement {
    pub fn line_count(&self) -> usize {
        self.accounts.iter().map(|a| a.lines.len()).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatementAccount {
    /// The full account number (`ACCTID`, a form field, or a Chase file name's digits):
    /// the account's `provider_account_id`, shown only masked.
    pub account_number: String,
    pub account_type: AccountType,
    pub currency: Currency,
    /// A name from the form; otherwise the import names it.
    pub name: Option<String>,
    /// `None` where the file has no balance (a CSV without a balance column): the stored
    /// balance stays as it was.
    pub balance: Option<Balance>,
    pub available_balance: Option<Decimal>,
    /// The file's own account values (`BANKID`, raw `ACCTTYPE`, CSV layout, …).
    pub metadata: Value,
    /// In file order.
    pub lines: Vec<StatementLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// Signed from the holder's view: a card's balance is negative when money is owed.
    pub amount: Decimal,
    /// `DTASOF`'s calendar date, or the newest row's date.
    pub as_of: Option<NaiveDate>,
}

/// One transaction row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementLine {
    /// Where it is in the file, for messages: the CSV line, or the `STMTTRN`'s line.
    pub line: u32,
    /// The bank's id (`FITID`); `None` when the file has none or it is empty.
    pub fitid: Option<String>,
    /// The statement's own calendar date (`DTPOSTED`'s first eight digits, never shifted
    /// to UTC; a card CSV's Transaction Date).
    pub transaction_date: NaiveDate,
    /// When it posted, where that differs (a card CSV's Post Date).
    pub posted_date: Option<NaiveDate>,
    /// Signed from the holder's view: negative is money out.
    pub amount: Decimal,
    pub transaction_type: TransactionType,
    pub subtype: TransactionSubtype,
    pub description: String,
    /// The file's own values: `TRNTYPE`, `NAME`, `MEMO`, `CHECKNUM`, the full `DTPOSTED`,
    /// a CSV row's columns — as compact JSON text, a `Value` again only when the row
    /// becomes a transaction (a parsed file holds every row at once).
    pub metadata: RowMetadata,
}

crate::named_enum! {
    /// Why a file could not be read.
    pub enum StatementErrorCode {
        Empty = "empty_file", NotAStatement = "not_a_statement", Encoding = "bad_encoding",
        Header = "bad_header", Malformed = "malformed", Truncated = "truncated",
        MissingField = "missing_field", BadDate = "bad_date", BadAmount = "bad_amount",
        UnsupportedCurrency = "unsupported_currency", StatusError = "status_error",
        MissingColumns = "missing_columns", MissingAccount = "missing_account",
        NoStatement = "no_statement",
    }
}

/// What was wrong with the file, and where: the whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StatementError {
    pub code: StatementErrorCode,
    /// The 1-based line, where one is to blame.
    pub line: Option<u32>,
    pub message: String,
}

impl StatementError {
    pub fn new(code: StatementErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            line: None,
            message: message.into(),
        }
    }

    pub fn at(code: StatementErrorCode, line: u32, message: impl Into<String>) -> Self {
        Self {
            code,
            line: Some(line),
            message: message.into(),
        }
    }
}
