//! Generated statements rendered as SGML and as XML read the same and give back their
//! values; no input, random or cut short, makes the parser panic.

use chrono::NaiveDate;
use dashtam_domain::{
    imports::{FileFormat, ImportHints, Statement, StatementFile, StatementParser, mapping},
    portfolio::{AccountType, Currency},
};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{fixture, parse};
use crate::imports::FileStatementParser;

const TRNTYPES: [&str; 19] = [
    "CREDIT",
    "DEBIT",
    "INT",
    "DIV",
    "FEE",
    "SRVCHG",
    "DEP",
    "ATM",
    "POS",
    "XFER",
    "CHECK",
    "PAYMENT",
    "CASH",
    "DIRECTDEP",
    "DIRECTDEBIT",
    "REPEATPMT",
    "HOLD",
    "OTHER",
    "xfer",
];
const ACCTTYPES: [&str; 6] = [
    "CHECKING",
    "SAVINGS",
    "MONEYMRKT",
    "CREDITLINE",
    "CD",
    "Savings",
];
const OFFSETS: [&str; 6] = ["", "[-5:EST]", "[+0:UTC]", "[-3.5:NST]", "[0]", "[+9:JST]"];

#[derive(Debug, Clone)]
struct Txn {
    trntype: &'static str,
    date: NaiveDate,
    time: Option<(u32, u32, u32, bool)>,
    offset: &'static str,
    cents: i64,
    fitid: Option<String>,
    name: Option<String>,
    memo: Option<String>,
}

#[derive(Debug, Clone)]
struct Account {
    card: bool,
    acctid: String,
    accttype: &'static str,
    currency: Option<&'static str>,
    balance_cents: i64,
    txns: Vec<Txn>,
}

fn text() -> impl Strategy<Value = String> {
    // No `<` and no `;` (so no `&…;` entity by chance); trimmed, as the parser trims.
    "[A-Za-z0-9é&#.' -]{1,20}".prop_map(|s| s.trim().to_owned())
}

fn txn() -> impl Strategy<Value = Txn> {
    (
        prop::sample::select(TRNTYPES.to_vec()),
        (2000i32..2031, 1u32..13, 1u32..29),
        prop::option::of((0u32..24, 0u32..60, 0u32..60, any::<bool>())),
        prop::sample::select(OFFSETS.to_vec()),
        -10_000_000i64..10_000_000,
        prop::option::of("[A-Z0-9]{1,12}"),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(
            |(trntype, (y, m, d), time, offset, cents, fitid, name, memo)| Txn {
                trntype,
                date: NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default(),
                time,
                offset,
                cents,
                fitid,
                name: name.filter(|n| !n.is_empty()),
                memo: memo.filter(|m| !m.is_empty()),
            },
        )
}

fn account() -> impl Strategy<Value = Account> {
    (
        any::<bool>(),
        "[0-9]{4,16}",
        prop::sample::select(ACCTTYPES.to_vec()),
        prop::option::of(prop::sample::select(vec!["USD", "EUR", "CAD", "gbp"])),
        -1_000_000_000i64..1_000_000_000,
        prop::collection::vec(txn(), 0..6),
    )
        .prop_map(
            |(card, acctid, accttype, currency, balance_cents, txns)| Account {
                card,
                acctid,
                accttype,
                currency,
                balance_cents,
                txns,
            },
        )
}

fn money(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

fn dtposted(t: &Txn) -> String {
    let mut s = t.date.format("%Y%m%d").to_string();
    if let Some((h, m, sec, millis)) = t.time {
        s.push_str(&format!("{h:02}{m:02}{sec:02}"));
        if millis {
            s.push_str(".000");
        }
    }
    s.push_str(t.offset);
    s
}

/// One element a line, leaves unclosed (SGML) or closed and escaped (XML).
fn render(accounts: &[Account], xml: bool) -> String {
    let mut out = String::new();
    if xml {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n");
    } else {
        out.push_str("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n");
    }
    let leaf = |out: &mut String, tag: &str, value: &str| {
        if xml {
            let escaped = value.replace('&', "&amp;");
            out.push_str(&format!("<{tag}>{escaped}</{tag}>\n"));
        } else {
            out.push_str(&format!("<{tag}>{value}\n"));
        }
    };
    out.push_str("<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n");
    leaf(&mut out, "CODE", "0");
    out.push_str("</STATUS>\n</SONRS>\n</SIGNONMSGSRSV1>\n");
    for a in accounts {
        let (set, trnrs, rs, from) = if a.card {
            (
                "CREDITCARDMSGSRSV1",
                "CCSTMTTRNRS",
                "CCSTMTRS",
                "CCACCTFROM",
            )
        } else {
            ("BANKMSGSRSV1", "STMTTRNRS", "STMTRS", "BANKACCTFROM")
        };
        out.push_str(&format!("<{set}>\n<{trnrs}>\n<{rs}>\n"));
        if let Some(c) = a.currency {
            leaf(&mut out, "CURDEF", c);
        }
        out.push_str(&format!("<{from}>\n"));
        leaf(&mut out, "ACCTID", &a.acctid);
        if !a.card {
            leaf(&mut out, "ACCTTYPE", a.accttype);
        }
        out.push_str(&format!("</{from}>\n<BANKTRANLIST>\n"));
        for t in &a.txns {
            out.push_str("<STMTTRN>\n");
            leaf(&mut out, "TRNTYPE", t.trntype);
            leaf(&mut out, "DTPOSTED", &dtposted(t));
            leaf(&mut out, "TRNAMT", &money(t.cents));
            if let Some(f) = &t.fitid {
                leaf(&mut out, "FITID", f);
            }
            if let Some(n) = &t.name {
                leaf(&mut out, "NAME", n);
            }
            if let Some(m) = &t.memo {
                leaf(&mut out, "MEMO", m);
            }
            out.push_str("</STMTTRN>\n");
        }
        out.push_str("</BANKTRANLIST>\n<LEDGERBAL>\n");
        leaf(&mut out, "BALAMT", &money(a.balance_cents));
        leaf(&mut out, "DTASOF", "20240131120000[-5:EST]");
        out.push_str(&format!("</LEDGERBAL>\n</{rs}>\n</{trnrs}>\n</{set}>\n"));
    }
    out.push_str("</OFX>\n");
    out
}

/// What both renderings must agree on: everything but the lines' positions and the
/// header's version.
fn comparable(mut s: Statement) -> Statement {
    for a in &mut s.accounts {
        if let Some(m) = a.metadata.as_object_mut() {
            m.remove("ofx_version");
        }
        for l in &mut a.lines {
            l.line = 0;
        }
    }
    s
}

fn check_values(accounts: &[Account], s: &Statement) -> Result<(), TestCaseError> {
    prop_assert_eq!(s.accounts.len(), accounts.len());
    for (want, got) in accounts.iter().zip(&s.accounts) {
        prop_assert_eq!(&got.account_number, &want.acctid);
        let account_type = if want.card {
            AccountType::CreditCard
        } else {
            mapping::ofx_account_type(want.accttype)
        };
        prop_assert_eq!(got.account_type, account_type);
        let currency = want
            .currency
            .and_then(Currency::parse_code)
            .unwrap_or(Currency::Usd);
        prop_assert_eq!(got.currency, currency);
        prop_assert_eq!(
            got.balance.map(|b| b.amount),
            Some(Decimal::new(want.balance_cents, 2))
        );
        prop_assert_eq!(got.lines.len(), want.txns.len());
        for (t, l) in want.txns.iter().zip(&got.lines) {
            prop_assert_eq!(l.transaction_date, t.date);
            prop_assert_eq!(l.amount, Decimal::new(t.cents, 2));
            prop_assert_eq!(&l.fitid, &t.fitid);
            let kind = mapping::ofx_transaction_kind(t.trntype, l.amount);
            prop_assert_eq!((l.transaction_type, l.subtype), kind);
            prop_assert_eq!(&l.metadata.to_value()["trntype"], t.trntype);
            prop_assert_eq!(&l.metadata.to_value()["dtposted"], &dtposted(t));
            let description = match (&t.name, &t.memo) {
                (Some(n), Some(m)) if n != m => format!("{n} - {m}"),
                (Some(n), _) => n.clone(),
                (None, Some(m)) => m.clone(),
                (None, None) => t.trntype.to_owned(),
            };
            prop_assert_eq!(&l.description, &description);
        }
    }
    Ok(())
}

fn parse_any(format: FileFormat, bytes: &[u8]) {
    let hints = ImportHints {
        account_number: Some("1".into()),
        ..ImportHints::default()
    };
    let _ = FileStatementParser.parse(StatementFile {
        file_name: "Chase1234_Activity_20240101.CSV",
        format,
        bytes,
        hints: &hints,
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sgml_and_xml_of_one_statement_read_alike(accounts in prop::collection::vec(account(), 1..4)) {
        let sgml = parse("a.ofx", render(&accounts, false).as_bytes());
        let xml = parse("a.ofx", render(&accounts, true).as_bytes());
        let (sgml, xml) = match (sgml, xml) {
            (Ok(s), Ok(x)) => (s, x),
            (s, x) => return Err(TestCaseError::fail(format!("{s:?} / {x:?}"))),
        };
        check_values(&accounts, &sgml)?;
        prop_assert_eq!(comparable(sgml), comparable(xml));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        parse_any(FileFormat::Ofx, &bytes);
        parse_any(FileFormat::Csv, &bytes);
        let mut tagged = b"OFXHEADER:100\n<OFX>".to_vec();
        tagged.extend_from_slice(&bytes);
        parse_any(FileFormat::Qfx, &tagged);
    }

    #[test]
    fn tag_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "<OFX>", "</OFX>", "<STMTRS>", "</STMTRS>", "<CCSTMTRS>", "<STMTTRN>", "</STMTTRN>",
        "<TRNAMT>", "<DTPOSTED>", "20240101", "-1,5", "<STATUS>", "<CODE>", "1", "&", "&amp;",
        "<!--", "-->", "<?xml ?>", "<", ">", "</", "é", "\r\n", "<BANKACCTFROM>", "<ACCTID>",
        "<LEDGERBAL>", "<BALAMT>", "</BANKTRANLIST>", "<TRNTYPE>", "XFER", "<MEMO/>",
    ]), 0..80), xml in any::<bool>()) {
        let mut text = if xml { "<?xml version=\"1.0\"?>".to_owned() } else { "OFXHEADER:100\n".to_owned() };
        text.extend(parts);
        parse_any(FileFormat::Ofx, text.as_bytes());
    }
}

#[test]
fn no_truncation_of_a_fixture_panics() {
    let files: [(&[u8], FileFormat); 8] = [
        (fixture!("chase_checking.qfx"), FileFormat::Qfx),
        (fixture!("cp1252.ofx"), FileFormat::Ofx),
        (fixture!("statement_v2.ofx"), FileFormat::Ofx),
        (fixture!("multiple_statements.ofx"), FileFormat::Ofx),
        (fixture!("card_negative.qfx"), FileFormat::Qfx),
        (fixture!("Chase1234_Activity_20240201.CSV"), FileFormat::Csv),
        (fixture!("Chase5678_Activity_20240301.CSV"), FileFormat::Csv),
        (fixture!("generic_amount.csv"), FileFormat::Csv),
    ];
    for (bytes, format) in files {
        for end in 0..bytes.len() {
            parse_any(format, &bytes[..end]);
            // Cut inside the file and closed again: still no panic.
            let mut spliced = bytes[..end].to_vec();
            spliced.extend_from_slice(&bytes[(end + 7).min(bytes.len())..]);
            parse_any(format, &spliced);
        }
    }
}

#[test]
fn a_cut_sgml_statement_is_truncated_not_short() {
    // Every cut inside the statement's body is refused, never read as fewer rows.
    let bytes = fixture!("chase_checking.qfx");
    let text = std::str::from_utf8(bytes).unwrap();
    let start = text.find("<BANKMSGSRSV1>").unwrap();
    let end = text.rfind("</OFX>").unwrap();
    for cut in start..end {
        if let Ok(s) = parse("a.qfx", &bytes[..cut]) {
            panic!("cut at {cut} parsed: {} rows", s.line_count());
        }
    }
}
