use chrono::NaiveDate;
use dashtam_domain::{
    imports::StatementErrorCode as Code,
    portfolio::{AccountType, Currency, TransactionSubtype as S, TransactionType as T},
};
use rust_decimal::Decimal;
use serde_json::json;

use super::{err, fixture, ok};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

#[test]
fn chase_qfx_v1_with_its_quirks() {
    let s = ok("chase.qfx", fixture!("chase_checking.qfx"));
    assert_eq!(s.accounts.len(), 1);
    let a = &s.accounts[0];
    assert_eq!(a.account_number, "000123456789");
    assert_eq!(a.account_type, AccountType::Checking);
    assert_eq!(a.currency, Currency::Usd);
    assert_eq!(a.balance.unwrap().amount, d("4325.75"));
    assert_eq!(a.balance.unwrap().as_of, Some(day(2024, 1, 31)));
    assert_eq!(a.available_balance, Some(d("4300.75")));
    assert_eq!(a.metadata["bankid"], "322271627");
    assert_eq!(a.metadata["accttype"], "CHECKING");
    assert_eq!(a.metadata["fi_org"], "B1");
    assert_eq!(a.metadata["intu_bid"], "10898");
    assert_eq!(a.metadata["trnuid"], "1");
    assert_eq!(a.lines.len(), 6);

    let purchase = &a.lines[0];
    assert_eq!(purchase.description, "A&W #5567 - DEBIT CARD PURCHASE");
    assert_eq!(purchase.amount, d("-4.50"));
    assert_eq!(purchase.fitid.as_deref(), Some("202401310"));
    assert_eq!(purchase.transaction_date, day(2024, 1, 31));
    assert_eq!(
        (purchase.transaction_type, purchase.subtype),
        (T::Other, S::Unknown)
    );
    assert_eq!(purchase.metadata.to_value()["name"], "A&W #5567");
    assert_eq!(purchase.metadata.to_value()["trntype"], "DEBIT");
    assert_eq!(
        purchase.metadata.to_value()["dtposted"],
        "20240131120000[0:GMT]"
    );
    // The leading blank line and CRLF: the first STMTTRN is on line 45.
    assert_eq!(purchase.line, 45);

    let pay = &a.lines[1];
    assert_eq!(pay.amount, d("1500.00"));
    assert_eq!(
        (pay.transaction_type, pay.subtype),
        (T::Transfer, S::Deposit)
    );
    let check = &a.lines[2];
    assert_eq!(check.metadata.to_value()["checknum"], "1043");
    assert_eq!(check.metadata.to_value()["dtuser"], "20240127120000");
    let xfer = &a.lines[3];
    assert_eq!(xfer.subtype, S::TransferOut);
    assert_eq!(xfer.description, "ONLINE TRANSFER TO SAV ...5678");
    assert_eq!(xfer.metadata.to_value()["memo"], "");
    let fee = &a.lines[4];
    assert_eq!((fee.transaction_type, fee.subtype), (T::Fee, S::AccountFee));
    assert_eq!(fee.amount, d("-12.00"));
    let interest = &a.lines[5];
    assert_eq!(
        (interest.transaction_type, interest.subtype),
        (T::Income, S::Interest)
    );
    assert_eq!(interest.fitid, None, "an empty FITID is none");
    assert_eq!(interest.metadata.to_value()["refnum"], "R-77");
}

#[test]
fn cp1252_names_decode() {
    let s = ok("a.ofx", fixture!("cp1252.ofx"));
    let a = &s.accounts[0];
    assert_eq!(a.currency, Currency::Eur);
    assert_eq!(a.account_type, AccountType::Savings);
    assert_eq!(a.metadata["encoding"], "windows-1252");
    assert_eq!(a.metadata["branchid"], "00123");
    assert_eq!(a.lines[0].description, "CAFÉ DE FLORE - Carte 1234");
    assert_eq!(a.lines[0].amount, d("-19.78"));
    assert_eq!(a.lines[1].description, "MÜLLER GMBH");
    assert_eq!(a.lines[1].amount, d("1234.56"));
    assert_eq!(a.balance.unwrap().amount, d("2500.00"));
}

#[test]
fn xml_v2_with_a_bare_ampersand_and_a_payee() {
    let s = ok("a.ofx", fixture!("statement_v2.ofx"));
    let a = &s.accounts[0];
    assert_eq!(a.account_number, "9876543210");
    assert_eq!(a.account_type, AccountType::MoneyMarket);
    assert_eq!(a.metadata["ofx_version"], "220");
    assert_eq!(a.lines[0].description, "AT&T MOBILITY - AUTOPAY & SAVE");
    assert_eq!(a.lines[0].transaction_date, day(2024, 2, 10));
    assert_eq!(a.lines[0].line, 25);
    let div = &a.lines[1];
    assert_eq!(
        (div.transaction_type, div.subtype),
        (T::Income, S::Dividend)
    );
    assert_eq!(div.description, "FUND DIVIDEND");
    assert_eq!(div.metadata.to_value()["payee_city"], "BOSTON");
    assert_eq!(div.metadata.to_value()["memo"], "");
    assert_eq!(a.balance.unwrap().amount, d("10250.00"));
    assert_eq!(a.balance.unwrap().as_of, Some(day(2024, 2, 29)));
}

#[test]
fn every_statement_of_the_file_bank_and_card() {
    let s = ok("a.ofx", fixture!("multiple_statements.ofx"));
    let numbers: Vec<_> = s
        .accounts
        .iter()
        .map(|a| a.account_number.as_str())
        .collect();
    assert_eq!(numbers, ["1111", "2222", "4111111111111111"]);
    let types: Vec<_> = s.accounts.iter().map(|a| a.account_type).collect();
    assert_eq!(
        types,
        [
            AccountType::Checking,
            AccountType::Savings,
            AccountType::CreditCard
        ]
    );
    let checking = &s.accounts[0];
    // 23:30 EST is the next day in UTC; the statement's own date stays.
    assert_eq!(checking.lines[0].transaction_date, day(2024, 2, 29));
    assert_eq!(
        checking.lines[0].metadata.to_value()["dtposted"],
        "20240229233000.000[-5:EST]"
    );
    assert_eq!(checking.lines[0].subtype, S::Withdrawal);
    assert_eq!(checking.lines[1].transaction_date, day(2024, 2, 28));
    assert_eq!(checking.balance.unwrap().as_of, Some(day(2024, 2, 29)));
    let savings = &s.accounts[1];
    assert_eq!(savings.lines[0].transaction_date, day(2024, 2, 29));
    assert_eq!(savings.lines[1].subtype, S::TransferIn);
    assert_eq!(savings.available_balance, Some(d("5400.00")));
    let card = &s.accounts[2];
    assert_eq!(card.balance.unwrap().amount, d("-257.50"));
    assert_eq!(card.lines[0].description, "EE & T-MOBILE");
    assert_eq!(
        card.lines[0].fitid, card.lines[1].fitid,
        "Chase reuses FITIDs"
    );
    assert_eq!(card.metadata["statement"], "credit_card");
    // `\r\r\n` counts as one line: the card's first STMTTRN is on line 35.
    assert_eq!(card.lines[0].line, 35);
    assert_eq!(s.line_count(), 6);
}

#[test]
fn a_card_statement_owing_money_with_missing_closers_on_one_line() {
    let s = ok("a.qfx", fixture!("card_negative.qfx"));
    let a = &s.accounts[0];
    assert_eq!(a.account_type, AccountType::CreditCard);
    assert_eq!(a.balance.unwrap().amount, d("-250.00"));
    assert_eq!(a.available_balance, Some(d("4750.00")));
    assert_eq!(a.lines.len(), 2);
    assert_eq!(a.lines[0].amount, d("-5.55"));
    assert_eq!(a.lines[0].description, "COFFEE SHOP");
    assert_eq!(a.lines[1].fitid.as_deref(), Some("2024012024692165"));
    assert!(a.lines.iter().all(|l| l.line == 1));
}

#[test]
fn a_refused_signon_names_its_code() {
    let e = err("a.ofx", fixture!("signon_error.ofx"));
    assert_eq!(e.code, Code::StatusError);
    assert_eq!(e.line, Some(15));
    assert!(e.message.contains("15500"), "{e}");
    assert!(e.message.contains("invalid user ID"), "{e}");
}

#[test]
fn a_statement_status_error_is_refused() {
    let text = String::from_utf8(fixture!("chase_checking.qfx").to_vec()).unwrap();
    let text = text.replacen(
        "<TRNUID>1\r\n<STATUS>\r\n<CODE>0",
        "<TRNUID>1\r\n<STATUS>\r\n<CODE>2000",
        1,
    );
    let e = err("a.qfx", text.as_bytes());
    assert_eq!((e.code, e.line), (Code::StatusError, Some(32)));
    assert!(e.message.contains("2000"), "{e}");
}

#[test]
fn truncated_binary_empty_and_statementless_files() {
    let e = err("a.qfx", fixture!("truncated.qfx"));
    assert_eq!(e.code, Code::Truncated);
    assert!(e.line.is_some());
    let e = err("a.ofx", fixture!("binary.ofx"));
    assert_eq!(e.code, Code::NotAStatement);
    assert_eq!(err("a.ofx", b"").code, Code::Empty);
    assert_eq!(err("a.ofx", b" \r\n\t ").code, Code::Empty);
    assert_eq!(err("a.ofx", b"hello, world").code, Code::NotAStatement);
    let e = err("a.ofx", b"<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>");
    assert_eq!(e.code, Code::NoStatement);
    // Cut after a whole STMTTRN: still inside <OFX>.
    let text = String::from_utf8(fixture!("chase_checking.qfx").to_vec()).unwrap();
    let cut = &text[..text.find("</BANKTRANLIST>").unwrap()];
    let e = err("a.qfx", cut.as_bytes());
    assert_eq!(e.code, Code::Truncated);
    assert!(e.message.contains("BANKTRANLIST"), "{e}");
}

fn with_first_txn_field(tag: &str, value: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8(fixture!("chase_checking.qfx").to_vec()).unwrap();
    let start = text.find(&format!("<{tag}>")).unwrap();
    let end = start + text[start..].find("\r\n").unwrap();
    let replacement = value.map(|v| format!("<{tag}>{v}")).unwrap_or_default();
    format!("{}{}{}", &text[..start], replacement, &text[end..]).into_bytes()
}

#[test]
fn a_bad_transaction_is_reported_by_its_position() {
    let e = err(
        "a.qfx",
        &with_first_txn_field("DTPOSTED", Some("2024-13-45")),
    );
    assert_eq!((e.code, e.line), (Code::BadDate, Some(45)));
    assert_eq!(
        e.message,
        "transaction 1 (line 45): DTPOSTED '2024-13-45' is not a date"
    );
    let e = err("a.qfx", &with_first_txn_field("TRNAMT", Some("12.x")));
    assert_eq!((e.code, e.line), (Code::BadAmount, Some(45)));
    let e = err("a.qfx", &with_first_txn_field("TRNAMT", None));
    assert_eq!(e.code, Code::MissingField);
    assert!(e.message.contains("TRNAMT"), "{e}");
    let e = err("a.qfx", &with_first_txn_field("TRNTYPE", None));
    assert_eq!(e.code, Code::MissingField);
    let e = err("a.qfx", &with_first_txn_field("DTPOSTED", Some("")));
    assert_eq!(e.code, Code::MissingField);
    let e = err("a.qfx", &with_first_txn_field("CURDEF", Some("XYZ")));
    assert_eq!((e.code, e.line), (Code::UnsupportedCurrency, Some(36)));
    assert!(e.message.contains("XYZ"), "{e}");
    let e = err("a.qfx", &with_first_txn_field("ACCTID", None));
    assert_eq!(e.code, Code::MissingField);
}

#[test]
fn a_missing_currency_is_usd_and_a_header_in_a_comment_reads() {
    let body = "<!--\nOFXHEADER:100\nCHARSET:NONE\nENCODING:UTF-8\n-->\n<OFX><BANKMSGSRSV1>\
                <STMTTRNRS><STMTRS><BANKACCTFROM><ACCTID>77</ACCTID></BANKACCTFROM>\
                <BANKTRANLIST><STMTTRN><TRNTYPE>OTHER</TRNTYPE><DTPOSTED>20240101</DTPOSTED>\
                <TRNAMT>1</TRNAMT><NAME>Zoë</NAME></STMTTRN></BANKTRANLIST>\
                <LEDGERBAL><BALAMT></BALAMT><DTASOF>00000000</DTASOF></LEDGERBAL>\
                </STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
    let s = ok("a.ofx", body.as_bytes());
    let a = &s.accounts[0];
    assert_eq!(a.currency, Currency::Usd);
    assert_eq!(a.account_type, AccountType::Other);
    assert_eq!(a.balance, None, "an empty BALAMT is no balance");
    assert_eq!(a.lines[0].description, "Zoë");
    assert_eq!(
        a.lines[0].metadata,
        json!({"trntype": "OTHER", "dtposted": "20240101", "name": "Zoë"})
    );
}
