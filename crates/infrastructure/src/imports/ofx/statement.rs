//! The OFX reader proper: takes the element events of either tokenizer (SGML or XML)
//! and builds the statements as it goes, without a document tree. It keeps only the
//! stack of open aggregates, which it repairs the way banks break it: an aggregate that
//! holds only leaves (`STATUS`, `LEDGERBAL`, `STMTTRN`, …) is closed when something it
//! cannot hold opens, an aggregate opened again closes the open one of that name, and
//! a closer closes everything above its opener (a missing `</STATUS>`, `</SONRS>`).

use std::borrow::Cow;

use chrono::NaiveDate;
use dashtam_domain::{
    imports::{
        Balance, RowMetadata, StatementAccount, StatementError, StatementErrorCode as Code,
        StatementLine, mapping,
    },
    portfolio::{AccountType, Currency},
};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::date::{self, OfxDate};
use crate::imports::{decode::LineCounter, number};

/// What the tokenizers report, with byte offsets into the decoded text.
pub trait Sink {
    fn open(&mut self, name: &str, at: usize) -> Result<(), StatementError>;
    fn leaf(&mut self, name: &str, value: &str, at: usize) -> Result<(), StatementError>;
    fn close(&mut self, name: &str, at: usize) -> Result<(), StatementError>;
}

/// The aggregates the reader knows; any other is `Other`, kept by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agg {
    Ofx,
    Sonrs,
    Fi,
    Status,
    StmtTrnRs,
    CcStmtTrnRs,
    StmtRs,
    CcStmtRs,
    BankAcctFrom,
    CcAcctFrom,
    BankTranList,
    StmtTrn,
    LedgerBal,
    AvailBal,
    Payee,
    BankAcctTo,
    CcAcctTo,
    Currency,
    OrigCurrency,
    Other,
}

impl Agg {
    fn of(name: &str) -> Self {
        match name {
            "OFX" => Self::Ofx,
            "SONRS" => Self::Sonrs,
            "FI" => Self::Fi,
            "STATUS" => Self::Status,
            "STMTTRNRS" => Self::StmtTrnRs,
            "CCSTMTTRNRS" => Self::CcStmtTrnRs,
            "STMTRS" => Self::StmtRs,
            "CCSTMTRS" => Self::CcStmtRs,
            "BANKACCTFROM" => Self::BankAcctFrom,
            "CCACCTFROM" => Self::CcAcctFrom,
            "BANKTRANLIST" => Self::BankTranList,
            "STMTTRN" => Self::StmtTrn,
            "LEDGERBAL" => Self::LedgerBal,
            "AVAILBAL" => Self::AvailBal,
            "PAYEE" => Self::Payee,
            "BANKACCTTO" => Self::BankAcctTo,
            "CCACCTTO" => Self::CcAcctTo,
            "CURRENCY" => Self::Currency,
            "ORIGCURRENCY" => Self::OrigCurrency,
            _ => Self::Other,
        }
    }

    /// Whether an aggregate `child` may open inside this one; `false` means this one
    /// was left unclosed.
    fn can_hold(self, child: Agg) -> bool {
        match self {
            Self::Status
            | Self::Fi
            | Self::BankAcctFrom
            | Self::CcAcctFrom
            | Self::LedgerBal
            | Self::AvailBal
            | Self::Payee
            | Self::BankAcctTo
            | Self::CcAcctTo
            | Self::Currency
            | Self::OrigCurrency => false,
            Self::StmtTrn => matches!(
                child,
                Self::Payee
                    | Self::BankAcctTo
                    | Self::CcAcctTo
                    | Self::Currency
                    | Self::OrigCurrency
                    | Self::Other
            ),
            _ => true,
        }
    }

    /// Inside a transaction, the prefix of its leaves' metadata keys.
    fn prefix(self) -> Option<&'static str> {
        match self {
            Self::StmtTrn => Some(""),
            Self::Payee => Some("payee_"),
            Self::BankAcctTo => Some("bankacctto_"),
            Self::CcAcctTo => Some("ccacctto_"),
            Self::Currency => Some("currency_"),
            Self::OrigCurrency => Some("origcurrency_"),
            _ => None,
        }
    }
}

/// Element names the tokenizer treats as leaves even when empty and unclosed
/// (`<MEMO>` straight before `<TRNAMT>`): an unknown empty tag would otherwise look
/// like an aggregate.
pub fn is_known_leaf(name: &str) -> bool {
    matches!(
        name,
        "TRNTYPE"
            | "DTPOSTED"
            | "DTUSER"
            | "DTAVAIL"
            | "TRNAMT"
            | "FITID"
            | "CORRECTFITID"
            | "CORRECTACTION"
            | "SRVRTID"
            | "CHECKNUM"
            | "REFNUM"
            | "SIC"
            | "PAYEEID"
            | "NAME"
            | "EXTDNAME"
            | "MEMO"
            | "CURRATE"
            | "CURSYM"
            | "CODE"
            | "SEVERITY"
            | "MESSAGE"
            | "DTSERVER"
            | "LANGUAGE"
            | "DTPROFUP"
            | "DTACCTUP"
            | "ORG"
            | "FID"
            | "TRNUID"
            | "CLTCOOKIE"
            | "CURDEF"
            | "BANKID"
            | "BRANCHID"
            | "ACCTID"
            | "ACCTTYPE"
            | "ACCTKEY"
            | "DTSTART"
            | "DTEND"
            | "BALAMT"
            | "DTASOF"
            | "MKTGINFO"
            | "ADDR1"
            | "ADDR2"
            | "ADDR3"
            | "CITY"
            | "STATE"
            | "POSTALCODE"
            | "COUNTRY"
            | "PHONE"
            | "INTU.BID"
            | "INTU.USERID"
    )
}

struct Frame {
    agg: Agg,
    /// Only for `Other`: its name, to match its closer.
    name: Option<Box<str>>,
    line: u32,
}

/// `CODE`/`MESSAGE` of a `STATUS`, for the response that owns it.
#[derive(Default)]
struct Status {
    code: Option<(String, u32)>,
    severity: Option<String>,
    message: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Signon,
    Statement,
}

#[derive(Default)]
struct BalanceDraft {
    amount: Option<Decimal>,
    as_of: Option<NaiveDate>,
}

struct AccountDraft {
    card: bool,
    line: u32,
    acctid: Option<String>,
    accttype: Option<String>,
    currency: Option<Currency>,
    ledger: BalanceDraft,
    available: BalanceDraft,
    metadata: Map<String, Value>,
    lines: Vec<StatementLine>,
}

struct TxnDraft {
    index: u32,
    line: u32,
    trntype: Option<String>,
    dtposted: Option<String>,
    trnamt: Option<String>,
    fitid: Option<String>,
    name: Option<String>,
    memo: Option<String>,
    metadata: Map<String, Value>,
}

pub struct Reader<'t> {
    lines: LineCounter<'t>,
    stack: Vec<Frame>,
    saw_ofx: bool,
    status: Status,
    status_owner: Option<Owner>,
    trnuid: Option<String>,
    signon: Map<String, Value>,
    account: Option<AccountDraft>,
    txn: Option<TxnDraft>,
    transactions: u32,
    accounts: Vec<StatementAccount>,
    /// Metadata every account gets: the header's version, the encoding read.
    file_metadata: Map<String, Value>,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str, file_metadata: Map<String, Value>) -> Self {
        Self {
            lines: LineCounter::new(text),
            stack: Vec::with_capacity(16),
            saw_ofx: false,
            status: Status::default(),
            status_owner: None,
            trnuid: None,
            signon: Map::new(),
            account: None,
            txn: None,
            transactions: 0,
            accounts: Vec::new(),
            file_metadata,
        }
    }

    /// Once the tokenizer is through: the statements, or why the file is refused.
    pub fn finish(mut self) -> Result<Vec<StatementAccount>, StatementError> {
        let last = self.lines.last_line();
        if let Some(open) = self.stack.last() {
            let name = match open.agg {
                Agg::Other => open.name.as_deref().unwrap_or("?").to_owned(),
                agg => agg_name(agg).to_owned(),
            };
            return Err(StatementError::at(
                Code::Truncated,
                last,
                format!(
                    "the file ends at line {last} inside <{name}> (opened on line {}): it \
                     looks cut short",
                    open.line
                ),
            ));
        }
        if !self.saw_ofx {
            return Err(StatementError::new(
                Code::NotAStatement,
                "the file has no <OFX> element",
            ));
        }
        if self.accounts.is_empty() {
            return Err(StatementError::new(
                Code::NoStatement,
                "the file holds no bank or credit-card statement (STMTRS or CCSTMTRS)",
            ));
        }
        Ok(self.accounts)
    }

    fn push(&mut self, agg: Agg, name: &str, line: u32) -> Result<(), StatementError> {
        if agg == Agg::Ofx {
            self.saw_ofx = true;
        }
        match agg {
            Agg::Status => {
                self.status = Status::default();
                self.status_owner = self.stack.iter().rev().find_map(|f| match f.agg {
                    Agg::Sonrs => Some(Owner::Signon),
                    Agg::StmtTrnRs | Agg::CcStmtTrnRs => Some(Owner::Statement),
                    _ => None,
                });
            }
            Agg::StmtTrnRs | Agg::CcStmtTrnRs => self.trnuid = None,
            Agg::StmtRs | Agg::CcStmtRs => {
                let mut metadata = self.file_metadata.clone();
                metadata.extend(self.signon.clone());
                if let Some(trnuid) = &self.trnuid {
                    metadata.insert("trnuid".into(), Value::String(trnuid.clone()));
                }
                self.account = Some(AccountDraft {
                    card: agg == Agg::CcStmtRs,
                    line,
                    acctid: None,
                    accttype: None,
                    currency: None,
                    ledger: BalanceDraft::default(),
                    available: BalanceDraft::default(),
                    metadata,
                    lines: Vec::new(),
                });
            }
            Agg::StmtTrn if self.account.is_some() => {
                self.transactions = self.transactions.saturating_add(1);
                self.txn = Some(TxnDraft {
                    index: self.transactions,
                    line,
                    trntype: None,
                    dtposted: None,
                    trnamt: None,
                    fitid: None,
                    name: None,
                    memo: None,
                    metadata: Map::new(),
                });
            }
            _ => {}
        }
        self.stack.push(Frame {
            agg,
            name: (agg == Agg::Other).then(|| name.into()),
            line,
        });
        Ok(())
    }

    fn pop(&mut self) -> Result<(), StatementError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        match frame.agg {
            Agg::Status => self.check_status()?,
            Agg::StmtTrn => {
                if let Some(txn) = self.txn.take() {
                    let line = finish_txn(txn)?;
                    if let Some(account) = self.account.as_mut() {
                        account.lines.push(line);
                    }
                }
            }
            Agg::StmtRs | Agg::CcStmtRs => {
                if let Some(account) = self.account.take() {
                    self.accounts.push(finish_account(account)?);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_status(&mut self) -> Result<(), StatementError> {
        let status = std::mem::take(&mut self.status);
        let Some((code, line)) = status.code else {
            return Ok(());
        };
        if code.trim().trim_start_matches('0').is_empty() && !code.trim().is_empty() {
            return Ok(());
        }
        let what = match self.status_owner {
            Some(Owner::Signon) => "the sign-on (SONRS)",
            _ => "a statement",
        };
        let severity = status
            .severity
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let message = status
            .message
            .filter(|m| !m.is_empty())
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        Err(StatementError::at(
            Code::StatusError,
            line,
            format!("the bank reported status {code}{severity} for {what} on line {line}{message}"),
        ))
    }

    /// The innermost aggregate the reader knows (an unknown one may be a misread leaf).
    fn known_top(&self) -> Option<Agg> {
        self.stack
            .iter()
            .rev()
            .map(|f| f.agg)
            .find(|a| *a != Agg::Other)
    }

    fn on_leaf(&mut self, name: &str, value: &str, line: u32) -> Result<(), StatementError> {
        let Some(top) = self.known_top() else {
            return Ok(());
        };
        if let (Some(prefix), Some(txn)) = (top.prefix(), self.txn.as_mut()) {
            txn_leaf(txn, prefix, name, value);
            return Ok(());
        }
        match top {
            Agg::Status => match name {
                "CODE" => self.status.code = Some((value.to_owned(), line)),
                "SEVERITY" => self.status.severity = Some(value.to_owned()),
                "MESSAGE" => self.status.message = Some(value.to_owned()),
                _ => {}
            },
            Agg::Sonrs | Agg::Fi => {
                let key = match name {
                    "ORG" => "fi_org",
                    "FID" => "fi_fid",
                    "INTU.BID" => "intu_bid",
                    _ => return Ok(()),
                };
                self.signon
                    .insert(key.into(), Value::String(value.to_owned()));
            }
            Agg::StmtTrnRs | Agg::CcStmtTrnRs if name == "TRNUID" => {
                self.trnuid = Some(value.to_owned());
            }
            _ => {
                if let Some(account) = self.account.as_mut() {
                    account_leaf(account, top, name, value, line)?;
                }
            }
        }
        Ok(())
    }
}

impl Sink for Reader<'_> {
    fn open(&mut self, name: &str, at: usize) -> Result<(), StatementError> {
        let line = self.lines.line_at(at);
        let name = upper(name);
        let agg = Agg::of(&name);
        // The same aggregate again: the open one was never closed.
        if agg != Agg::Ofx
            && let Some(depth) = self.stack.iter().rposition(|f| same(f, agg, &name))
        {
            while self.stack.len() > depth {
                self.pop()?;
            }
        }
        while let Some(top) = self.stack.last() {
            if top.agg.can_hold(agg) {
                break;
            }
            self.pop()?;
        }
        self.push(agg, &name, line)
    }

    fn leaf(&mut self, name: &str, value: &str, at: usize) -> Result<(), StatementError> {
        let line = self.lines.line_at(at);
        let name = upper(name);
        self.on_leaf(&name, value.trim(), line)
    }

    fn close(&mut self, name: &str, _at: usize) -> Result<(), StatementError> {
        let name = upper(name);
        let agg = Agg::of(&name);
        // A closer with no opener (a leaf's `</NAME>`, a stray one) closes nothing.
        if let Some(depth) = self.stack.iter().rposition(|f| same(f, agg, &name)) {
            while self.stack.len() > depth {
                self.pop()?;
            }
        }
        Ok(())
    }
}

fn same(frame: &Frame, agg: Agg, name: &str) -> bool {
    frame.agg == agg && (agg != Agg::Other || frame.name.as_deref() == Some(name))
}

/// SGML names are case-insensitive; OFX writes them upper-case.
fn upper(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(name.to_ascii_uppercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn agg_name(agg: Agg) -> &'static str {
    match agg {
        Agg::Ofx => "OFX",
        Agg::Sonrs => "SONRS",
        Agg::Fi => "FI",
        Agg::Status => "STATUS",
        Agg::StmtTrnRs => "STMTTRNRS",
        Agg::CcStmtTrnRs => "CCSTMTTRNRS",
        Agg::StmtRs => "STMTRS",
        Agg::CcStmtRs => "CCSTMTRS",
        Agg::BankAcctFrom => "BANKACCTFROM",
        Agg::CcAcctFrom => "CCACCTFROM",
        Agg::BankTranList => "BANKTRANLIST",
        Agg::StmtTrn => "STMTTRN",
        Agg::LedgerBal => "LEDGERBAL",
        Agg::AvailBal => "AVAILBAL",
        Agg::Payee => "PAYEE",
        Agg::BankAcctTo => "BANKACCTTO",
        Agg::CcAcctTo => "CCACCTTO",
        Agg::Currency => "CURRENCY",
        Agg::OrigCurrency => "ORIGCURRENCY",
        Agg::Other => "?",
    }
}

/// `DTPOSTED` → `dtposted`, `INTU.BID` → `intu_bid`.
fn key(prefix: &str, name: &str) -> String {
    let mut key = String::with_capacity(prefix.len() + name.len());
    key.push_str(prefix);
    key.extend(name.chars().map(|c| match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'a'..='z' | '0'..='9' => c,
        _ => '_',
    }));
    key
}

fn txn_leaf(txn: &mut TxnDraft, prefix: &str, name: &str, value: &str) {
    let slot = if prefix.is_empty() {
        match name {
            "TRNTYPE" => Some(&mut txn.trntype),
            "DTPOSTED" => Some(&mut txn.dtposted),
            // Held typed (`amount`, `fitid`); the rest goes to metadata as it is.
            "TRNAMT" => return txn.trnamt = Some(value.to_owned()),
            "FITID" => return txn.fitid = Some(value.to_owned()),
            "NAME" => Some(&mut txn.name),
            "MEMO" => Some(&mut txn.memo),
            _ => None,
        }
    } else if prefix == "payee_" && name == "NAME" && txn.name.is_none() {
        Some(&mut txn.name)
    } else {
        None
    };
    if let Some(slot) = slot {
        *slot = Some(value.to_owned());
    }
    txn.metadata
        .insert(key(prefix, name), Value::String(value.to_owned()));
}

fn finish_txn(txn: TxnDraft) -> Result<StatementLine, StatementError> {
    let TxnDraft {
        index,
        line,
        trntype,
        dtposted,
        trnamt,
        fitid,
        name,
        memo,
        metadata,
    } = txn;
    let at = |code, what: String| {
        StatementError::at(
            code,
            line,
            format!("transaction {index} (line {line}): {what}"),
        )
    };
    let trntype = trntype
        .filter(|t| !t.is_empty())
        .ok_or_else(|| at(Code::MissingField, "TRNTYPE is missing".into()))?;
    let dtposted = dtposted
        .filter(|t| !t.is_empty())
        .ok_or_else(|| at(Code::MissingField, "DTPOSTED is missing".into()))?;
    let transaction_date = match date::parse(&dtposted) {
        Some(OfxDate::Date(d)) => d,
        _ => {
            return Err(at(
                Code::BadDate,
                format!("DTPOSTED '{dtposted}' is not a date"),
            ));
        }
    };
    let trnamt = trnamt
        .filter(|t| !t.is_empty())
        .ok_or_else(|| at(Code::MissingField, "TRNAMT is missing".into()))?;
    let amount = number::ofx_amount(&trnamt).ok_or_else(|| {
        at(
            Code::BadAmount,
            format!("TRNAMT '{trnamt}' is not an amount"),
        )
    })?;
    let (transaction_type, subtype) = mapping::ofx_transaction_kind(&trntype, amount);
    Ok(StatementLine {
        line,
        fitid: fitid.filter(|f| !f.is_empty()),
        transaction_date,
        posted_date: None,
        amount,
        transaction_type,
        subtype,
        description: describe(name.as_deref(), memo.as_deref(), &trntype),
        metadata: RowMetadata::from_map(metadata),
    })
}

/// `NAME - MEMO` when both say something different, else whichever there is (the
/// original app's form); the `TRNTYPE` when neither.
fn describe(name: Option<&str>, memo: Option<&str>, trntype: &str) -> String {
    let name = name.filter(|n| !n.is_empty());
    let memo = memo.filter(|m| !m.is_empty());
    match (name, memo) {
        (Some(n), Some(m)) if n != m => format!("{n} - {m}"),
        (Some(n), _) => n.to_owned(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => trntype.to_owned(),
    }
}

fn account_leaf(
    account: &mut AccountDraft,
    top: Agg,
    name: &str,
    value: &str,
    line: u32,
) -> Result<(), StatementError> {
    let balance = match top {
        Agg::LedgerBal => Some((&mut account.ledger, "ledgerbal")),
        Agg::AvailBal => Some((&mut account.available, "availbal")),
        _ => None,
    };
    if let Some((balance, which)) = balance {
        let tag = which.to_ascii_uppercase();
        match name {
            // An empty BALAMT is no balance (Q12), not an error.
            "BALAMT" if !value.is_empty() => {
                balance.amount = Some(number::ofx_amount(value).ok_or_else(|| {
                    StatementError::at(
                        Code::BadAmount,
                        line,
                        format!("line {line}: {tag} BALAMT '{value}' is not an amount"),
                    )
                })?);
            }
            "DTASOF" if !value.is_empty() => {
                balance.as_of = match date::parse(value) {
                    Some(OfxDate::Date(d)) => Some(d),
                    Some(OfxDate::Null) => None,
                    None => {
                        return Err(StatementError::at(
                            Code::BadDate,
                            line,
                            format!("line {line}: {tag} DTASOF '{value}' is not a date"),
                        ));
                    }
                };
            }
            _ => {}
        }
        account.metadata.insert(
            key(&format!("{which}_"), name),
            Value::String(value.to_owned()),
        );
        return Ok(());
    }
    match (top, name) {
        (Agg::StmtRs | Agg::CcStmtRs, "CURDEF") => {
            account.currency = Some(Currency::parse_code(value).ok_or_else(|| {
                StatementError::at(
                    Code::UnsupportedCurrency,
                    line,
                    format!("line {line}: the currency '{value}' (CURDEF) is not supported"),
                )
            })?);
        }
        (Agg::BankAcctFrom | Agg::CcAcctFrom, "ACCTID") => {
            account.acctid = Some(value.to_owned());
            return Ok(()); // the account number itself, not metadata
        }
        (Agg::BankAcctFrom, "ACCTTYPE") => account.accttype = Some(value.to_owned()),
        (
            Agg::StmtRs | Agg::CcStmtRs | Agg::BankAcctFrom | Agg::CcAcctFrom | Agg::BankTranList,
            _,
        ) => {}
        _ => return Ok(()),
    }
    account
        .metadata
        .insert(key("", name), Value::String(value.to_owned()));
    Ok(())
}

fn finish_account(account: AccountDraft) -> Result<StatementAccount, StatementError> {
    let AccountDraft {
        card,
        line,
        acctid,
        accttype,
        currency,
        ledger,
        available,
        mut metadata,
        lines,
    } = account;
    let tag = if card { "CCSTMTRS" } else { "STMTRS" };
    let account_number = acctid.filter(|a| !a.is_empty()).ok_or_else(|| {
        StatementError::at(
            Code::MissingField,
            line,
            format!("the statement ({tag}) on line {line} has no ACCTID"),
        )
    })?;
    let account_type = if card {
        AccountType::CreditCard
    } else {
        mapping::ofx_account_type(accttype.as_deref().unwrap_or_default())
    };
    metadata.insert(
        "statement".into(),
        Value::String(if card { "credit_card" } else { "bank" }.into()),
    );
    Ok(StatementAccount {
        account_number,
        account_type,
        currency: currency.unwrap_or(Currency::Usd),
        name: None,
        balance: ledger.amount.map(|amount| Balance {
            amount,
            as_of: ledger.as_of,
        }),
        available_balance: available.amount,
        metadata: Value::Object(metadata),
        lines,
    })
}
