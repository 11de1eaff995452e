//! CSV exports: the layout from the header row ([`layouts`]), then every row checked and
//! mapped. Chase's data rows carry a trailing comma (one field more than the header),
//! hence a flexible reader; a row with too few fields is refused with its line.

mod layouts;
mod values;

use chrono::NaiveDate;
use csv::{ReaderBuilder, StringRecord};
use dashtam_domain::{
    imports::{
        Balance, RowMetadata, StatementAccount, StatementError, StatementErrorCode as Code,
        StatementFile, StatementLine, mapping,
    },
    portfolio::{AccountType, Currency, TransactionSubtype, TransactionType},
};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{
    decode::{LineCounter, decode},
    number::csv_amount,
};
use layouts::{Amounts, Columns};

pub fn parse(file: StatementFile<'_>) -> Result<StatementAccount, StatementError> {
    let (text, encoding) = decode(file.bytes, None);
    let mut reader = ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut record = StringRecord::new();
    let mut line_counter = LineCounter::new(&text);
    // The header is the first row that says anything.
    let header_line = loop {
        if !read(&mut reader, &mut record)? {
            return Err(StatementError::new(Code::Empty, "the file has no rows"));
        }
        if !is_blank(&record) {
            break line_of(&mut line_counter, &text, &record);
        }
    };
    let header_record = std::mem::take(&mut record);
    let header: Vec<&str> = header_record.iter().collect();
    let names = layouts::normalise(&header);
    let columns = layouts::recognise(&names).ok_or_else(|| {
        StatementError::at(
            Code::MissingColumns,
            header_line,
            format!(
                "line {header_line}: the header '{}' is not a layout this importer knows; \
                 expected {}",
                header.join(","),
                layouts::expected()
            ),
        )
    })?;
    let keys: Vec<String> = header.iter().map(|h| values::key(h)).collect();
    let header_text: Vec<Value> = header
        .iter()
        .map(|h| Value::String(h.trim_start_matches('\u{feff}').trim().to_owned()))
        .collect();
    let hints = file.hints;
    let (account_number, from) = match hints
        .account_number
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(number) => (number.to_owned(), "form"),
        None => match values::chase_account_digits(file.file_name) {
            Some(digits) => (digits.to_owned(), "file_name"),
            None => {
                return Err(StatementError::new(
                    Code::MissingAccount,
                    "a CSV file names no account: give the account number (for a Chase \
                     export, its name 'Chase1234_Activity_….CSV' has it)",
                ));
            }
        },
    };

    let mut lines = Vec::new();
    let mut newest = NewestBalance::default();
    loop {
        if !read(&mut reader, &mut record)? {
            break;
        }
        if is_blank(&record) {
            continue;
        }
        let line = line_of(&mut line_counter, &text, &record);
        if record.len() <= columns.last() {
            return Err(StatementError::at(
                Code::Malformed,
                line,
                format!(
                    "line {line}: the row has {} fields; the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let (row, balance) = row(&record, &columns, hints.charges_positive, line)?;
        if let Some(balance) = balance {
            newest.offer(row.transaction_date, balance);
        }
        let mut metadata = Map::new();
        for (i, field) in record.iter().enumerate() {
            let key = match keys.get(i).filter(|k| !k.is_empty()) {
                Some(key) => key.clone(),
                None if field.trim().is_empty() => continue, // Chase's trailing comma
                None => format!("column_{}", i + 1),
            };
            metadata.insert(key, Value::String(field.trim().to_owned()));
        }
        lines.push(StatementLine {
            metadata: RowMetadata::from_map(metadata),
            ..row
        });
    }

    let newest_first = match (lines.first(), lines.last()) {
        (Some(first), Some(last)) => first.transaction_date >= last.transaction_date,
        _ => true,
    };
    let layout = columns.layout();
    let mut metadata = Map::new();
    metadata.insert("source".into(), Value::String("csv".into()));
    metadata.insert("layout".into(), Value::String(layout.as_str().into()));
    metadata.insert("encoding".into(), Value::String(encoding.into()));
    metadata.insert("header".into(), Value::Array(header_text));
    metadata.insert("account_number_from".into(), Value::String(from.into()));
    let default_type = match columns {
        Columns::ChaseCard { .. } => AccountType::CreditCard,
        _ => AccountType::Checking,
    };
    Ok(StatementAccount {
        account_number,
        account_type: hints.account_type.unwrap_or(default_type),
        currency: hints.currency.unwrap_or(Currency::Usd),
        name: hints.account_name.clone(),
        balance: newest.pick(newest_first),
        available_balance: None,
        metadata: Value::Object(metadata),
        lines,
    })
}

/// One data row, its metadata still empty; and its running balance, where it has one.
fn row(
    record: &StringRecord,
    columns: &Columns,
    charges_positive: bool,
    line: u32,
) -> Result<(StatementLine, Option<Decimal>), StatementError> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim();
    let date_at = |i: usize, what: &str| {
        values::date(field(i)).ok_or_else(|| {
            StatementError::at(
                Code::BadDate,
                line,
                format!("line {line}: {what} '{}' is not a date", field(i)),
            )
        })
    };
    let amount_at = |i: usize, what: &str| {
        csv_amount(field(i)).ok_or_else(|| {
            StatementError::at(
                Code::BadAmount,
                line,
                format!("line {line}: {what} '{}' is not an amount", field(i)),
            )
        })
    };
    let (transaction_date, posted_date, amount, kind, description, balance) = match *columns {
        Columns::ChaseChecking {
            details,
            date,
            description,
            amount,
            kind,
            balance,
        } => {
            let day = date_at(date, "Posting Date")?;
            let value = amount_at(amount, "Amount")?;
            // Pending rows carry a non-numeric balance: no balance, not an error.
            let running = csv_amount(field(balance));
            let kind = mapping::chase_checking_kind(field(details), field(kind), value);
            (day, None, value, kind, field(description), running)
        }
        Columns::ChaseCard {
            transaction_date,
            post_date,
            description,
            kind,
            amount,
        } => {
            let day = date_at(transaction_date, "Transaction Date")?;
            let posted = date_at(post_date, "Post Date")?;
            let value = amount_at(amount, "Amount")?;
            let kind = mapping::chase_card_kind(field(kind));
            (day, Some(posted), value, kind, field(description), None)
        }
        Columns::Generic {
            date,
            description,
            amount,
        } => {
            let day = date_at(date, "date")?;
            let value = match amount {
                Amounts::Signed(i) => {
                    let value = amount_at(i, "amount")?;
                    if charges_positive { -value } else { value }
                }
                Amounts::DebitCredit { debit, credit } => {
                    debit_credit(field(debit), field(credit), line)?
                }
            };
            let kind = (TransactionType::Other, TransactionSubtype::Unknown);
            (day, None, value, kind, field(description), None)
        }
    };
    Ok((
        StatementLine {
            line,
            fitid: None,
            transaction_date,
            posted_date,
            amount,
            transaction_type: kind.0,
            subtype: kind.1,
            description: description.to_owned(),
            metadata: RowMetadata::default(),
        },
        balance,
    ))
}

/// Unsigned columns: debit is money out, credit money in.
fn debit_credit(debit: &str, credit: &str, line: u32) -> Result<Decimal, StatementError> {
    let parse = |text: &str, what: &str| {
        if text.is_empty() {
            return Ok(None);
        }
        csv_amount(text).map(|v| Some(v.abs())).ok_or_else(|| {
            StatementError::at(
                Code::BadAmount,
                line,
                format!("line {line}: {what} '{text}' is not an amount"),
            )
        })
    };
    match (parse(debit, "debit")?, parse(credit, "credit")?) {
        (None, None) => Err(StatementError::at(
            Code::BadAmount,
            line,
            format!("line {line}: neither debit nor credit has an amount"),
        )),
        (debit, credit) => Ok(credit.unwrap_or_default() - debit.unwrap_or_default()),
    }
}

/// The balance of the newest day's rows: by date, not by position; among one day's
/// rows, the newest in the file's own order.
#[derive(Default)]
struct NewestBalance {
    /// The day, and its first and last balances in file order.
    best: Option<(NaiveDate, Decimal, Decimal)>,
}

impl NewestBalance {
    fn offer(&mut self, day: NaiveDate, balance: Decimal) {
        match &mut self.best {
            Some((best, _, last)) if *best == day => *last = balance,
            Some((best, ..)) if *best > day => {}
            _ => self.best = Some((day, balance, balance)),
        }
    }

    fn pick(&self, newest_first: bool) -> Option<Balance> {
        self.best.map(|(day, first, last)| Balance {
            amount: if newest_first { first } else { last },
            as_of: Some(day),
        })
    }
}

fn read(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut StringRecord,
) -> Result<bool, StatementError> {
    reader.read_record(record).map_err(|e| {
        let line = e
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => format!("line {line}: the row is not valid text"),
            _ => format!("line {line}: the row cannot be read ({e})"),
        };
        StatementError {
            code: Code::Malformed,
            line: (line > 0).then_some(line),
            message,
        }
    })
}

fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The record's 1-based line, from its byte offset: the csv crate counts a CRLF's line
/// only once it reads the next record.
fn line_of(lines: &mut LineCounter<'_>, text: &str, record: &StringRecord) -> u32 {
    let Some(byte) = record
        .position()
        .and_then(|p| usize::try_from(p.byte()).ok())
    else {
        return 0;
    };
    let start = match text.as_bytes().get(byte) {
        Some(b'\n') => byte + 1,
        _ => byte,
    };
    lines.line_at(start)
}
