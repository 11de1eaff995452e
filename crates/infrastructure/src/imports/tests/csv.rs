use chrono::NaiveDate;
use dashtam_domain::{
    imports::{ImportHints, StatementErrorCode as Code},
    portfolio::{AccountType, Currency, TransactionSubtype as S, TransactionType as T},
};
use rust_decimal::Decimal;

use super::{err, fixture, ok, parse_as};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn hints(account: &str) -> ImportHints {
    ImportHints {
        account_number: Some(account.into()),
        ..ImportHints::default()
    }
}

#[test]
fn chase_checking_with_trailing_commas_and_quoted_commas() {
    let name = "Chase1234_Activity_20240201.CSV";
    let s = ok(name, fixture!("Chase1234_Activity_20240201.CSV"));
    let a = &s.accounts[0];
    assert_eq!(a.account_number, "1234", "from the file name");
    assert_eq!(a.account_type, AccountType::Checking);
    assert_eq!(a.currency, Currency::Usd);
    assert_eq!(a.metadata["layout"], "chase_checking");
    assert_eq!(a.lines.len(), 6);
    // The newest row is pending (no numeric balance): the newest day with one counts.
    let balance = a.balance.unwrap();
    assert_eq!(
        (balance.amount, balance.as_of),
        (d("4325.75"), Some(day(2024, 1, 30)))
    );
    let first = &a.lines[0];
    assert_eq!(first.line, 2);
    assert!(first.description.starts_with("Online Transfer 12582403448"));
    assert_eq!(first.subtype, S::TransferOut);
    assert_eq!(first.fitid, None);
    assert_eq!(first.metadata.to_value()["details"], "DEBIT");
    assert_eq!(first.metadata.to_value()["type"], "ACCT_XFER");
    assert_eq!(a.lines[1].description, "STARBUCKS STORE 0123, SEATTLE WA");
    assert_eq!(a.lines[2].subtype, S::Deposit);
    assert_eq!(a.lines[3].metadata.to_value()["check_or_slip"], "1043");
    assert_eq!(
        (a.lines[4].transaction_type, a.lines[4].subtype),
        (T::Fee, S::AccountFee)
    );
    assert_eq!(a.lines[5].subtype, S::Deposit);
    // The form's fields win.
    let savings = ImportHints {
        account_number: Some("99887766".into()),
        account_type: Some(AccountType::Savings),
        account_name: Some("Rainy day".into()),
        currency: Some(Currency::Cad),
        charges_positive: false,
    };
    let s = parse_as(name, fixture!("Chase1234_Activity_20240201.CSV"), &savings).unwrap();
    let a = &s.accounts[0];
    assert_eq!(a.account_number, "99887766");
    assert_eq!(a.account_type, AccountType::Savings);
    assert_eq!(a.name.as_deref(), Some("Rainy day"));
    assert_eq!(a.currency, Currency::Cad);
}

#[test]
fn chase_card_old_and_new_headers() {
    let old = ok(
        "Chase5678_Activity20240101_20240131_20240201.CSV",
        fixture!("Chase5678_Activity20240101_20240131_20240201.CSV"),
    );
    let a = &old.accounts[0];
    assert_eq!(a.account_number, "5678");
    assert_eq!(a.account_type, AccountType::CreditCard);
    assert_eq!(a.balance, None);
    let sale = &a.lines[0];
    assert_eq!(sale.transaction_date, day(2024, 1, 30));
    assert_eq!(sale.posted_date, Some(day(2024, 1, 31)));
    assert_eq!(sale.amount, d("-20.54"));
    assert_eq!(
        (sale.transaction_type, sale.subtype),
        (T::Other, S::Unknown)
    );
    assert_eq!(sale.metadata.to_value()["category"], "Shopping");
    assert_eq!(a.lines[1].subtype, S::TransferIn);
    assert_eq!(a.lines[1].description, "PAYMENT, THANK YOU");
    assert_eq!(a.lines[2].subtype, S::Unknown);
    assert_eq!(a.lines[3].transaction_type, T::Fee);

    let new = ok(
        "Chase5678_Activity_20240301.CSV",
        fixture!("Chase5678_Activity_20240301.CSV"),
    );
    let a = &new.accounts[0];
    assert_eq!(a.lines.len(), 2);
    assert_eq!(a.lines[0].metadata.to_value()["card"], "5678");
    assert_eq!(a.lines[0].transaction_date, day(2024, 2, 29));
    assert_eq!(a.lines[0].posted_date, Some(day(2024, 3, 1)));
    assert_eq!(a.lines[1].amount, d("1000.00"));
}

#[test]
fn generic_layouts_with_a_bom() {
    let s = parse_as("export.csv", fixture!("generic_amount.csv"), &hints("42")).unwrap();
    let a = &s.accounts[0];
    assert_eq!(a.account_type, AccountType::Checking);
    assert_eq!(a.balance, None);
    let amounts: Vec<_> = a.lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [d("-1234.50"), d("12.00"), d("-4.50")]);
    assert_eq!(a.lines[0].description, "Grocery, Inc.");
    assert_eq!(a.lines[1].transaction_date, day(2024, 2, 2));
    assert_eq!(a.lines[0].metadata.to_value()["date"], "2024-02-01");

    let positive = ImportHints {
        charges_positive: true,
        ..hints("42")
    };
    let s = parse_as("amex.csv", fixture!("generic_amount.csv"), &positive).unwrap();
    assert_eq!(s.accounts[0].lines[2].amount, d("4.50"));

    let s = parse_as(
        "export.csv",
        fixture!("generic_debit_credit.csv"),
        &hints("42"),
    )
    .unwrap();
    let amounts: Vec<_> = s.accounts[0].lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [d("-1500.00"), d("3000.00"), d("-4.50")]);
}

#[test]
fn errors_name_their_line() {
    let e = parse_as("x.csv", fixture!("bad_date_line7.csv"), &hints("1")).unwrap_err();
    assert_eq!((e.code, e.line), (Code::BadDate, Some(7)));
    assert!(e.message.contains("2024-13-45"), "{e}");
    let e = parse_as("x.csv", fixture!("missing_columns.csv"), &hints("1")).unwrap_err();
    assert_eq!((e.code, e.line), (Code::MissingColumns, Some(1)));
    assert!(e.message.contains("date,description,amount"), "{e}");
    let e = err("x.csv", b"date,description,amount\n2024-01-01,x,-1\n");
    assert_eq!(e.code, Code::MissingAccount);
    let e = parse_as(
        "x.csv",
        b"date,description,amount\n2024-01-01,x,-1\n2024-01-02,y\n",
        &hints("1"),
    )
    .unwrap_err();
    assert_eq!((e.code, e.line), (Code::Malformed, Some(3)));
    let e = parse_as(
        "x.csv",
        b"date,description,amount\n2024-01-01,x,12a\n",
        &hints("1"),
    )
    .unwrap_err();
    assert_eq!((e.code, e.line), (Code::BadAmount, Some(2)));
    assert_eq!(err("x.csv", b"").code, Code::Empty);
    assert_eq!(err("x.csv", b"\x00\x01binary").code, Code::NotAStatement);
}

#[test]
fn the_balance_is_the_newest_days_whatever_the_order() {
    let oldest_first = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
                        DEBIT,01/01/2024,a,-1.00,DEBIT_CARD,99.00,,\n\
                        DEBIT,01/02/2024,b,-1.00,DEBIT_CARD,98.00,,\n\
                        DEBIT,01/02/2024,c,-1.00,DEBIT_CARD,97.00,,\n";
    let s = parse_as("x.csv", oldest_first.as_bytes(), &hints("1")).unwrap();
    let balance = s.accounts[0].balance.unwrap();
    assert_eq!(
        (balance.amount, balance.as_of),
        (d("97.00"), Some(day(2024, 1, 2)))
    );
}
