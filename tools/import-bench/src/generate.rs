//! Realistic statement files of N transactions, the same for every run (a fixed seed):
//! a Chase-like checking account's mix of card purchases, payroll, transfers, checks,
//! ATM withdrawals and fees over the year before 2024-12-31, as OFX 1.x SGML (unclosed
//! leaves, CRLF), OFX 2.x XML, and a Chase checking CSV.

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const MERCHANTS: [&str; 12] = [
    "STARBUCKS STORE 01234",
    "AMZN Mktp US*2K4LM93",
    "WHOLEFDS MKT 10234",
    "SHELL OIL 57442",
    "UBER   *TRIP",
    "TRADER JOE S #552",
    "NETFLIX.COM",
    "CVS/PHARMACY #0912",
    "CHIPOTLE 1187",
    "COSTCO WHSE #0117",
    "SPOTIFY USA",
    "HOME DEPOT #6543",
];

pub struct Txn {
    pub trntype: &'static str,
    pub chase_type: &'static str,
    pub details: &'static str,
    /// Days before 2024-12-31, newest first.
    pub days_back: u32,
    pub seconds: u32,
    pub cents: i64,
    pub name: String,
    pub memo: &'static str,
    pub checknum: Option<u32>,
}

pub fn transactions(n: usize, seed: u64) -> Vec<Txn> {
    let mut rng = Rng(seed | 1);
    (0..n)
        .map(|i| {
            let days_back = u32::try_from(i * 366 / n.max(1)).unwrap_or(0);
            let seconds = u32::try_from(rng.below(86_400)).unwrap_or(0);
            let pick = rng.below(100);
            let (trntype, chase_type, details, cents, name, memo, checknum) = match pick {
                0..=69 => {
                    let m = MERCHANTS
                        .get(usize::try_from(rng.below(12)).unwrap_or(0))
                        .copied()
                        .unwrap_or("SHOP");
                    let cents = -i64::try_from(rng.below(20_000) + 100).unwrap_or(100);
                    (
                        "DEBIT",
                        "DEBIT_CARD",
                        "DEBIT",
                        cents,
                        m.to_owned(),
                        "DEBIT CARD PURCHASE",
                        None,
                    )
                }
                70..=79 => (
                    "DIRECTDEP",
                    "ACH_CREDIT",
                    "CREDIT",
                    250_000 + i64::try_from(rng.below(50_000)).unwrap_or(0),
                    "ACME CORP PAYROLL".to_owned(),
                    "PPD ID: 1234567890",
                    None,
                ),
                80..=87 => (
                    "XFER",
                    "ACCT_XFER",
                    "DEBIT",
                    -i64::try_from(rng.below(100_000) + 1_000).unwrap_or(1_000),
                    format!("Online Transfer to SAV ...{}", 1000 + rng.below(9000)),
                    "",
                    None,
                ),
                88..=93 => {
                    let number = 1000 + u32::try_from(rng.below(9000)).unwrap_or(0);
                    (
                        "CHECK",
                        "CHECK_PAID",
                        "CHECK",
                        -i64::try_from(rng.below(50_000) + 2_000).unwrap_or(2_000),
                        format!("CHECK {number}"),
                        "",
                        Some(number),
                    )
                }
                94..=97 => (
                    "ATM",
                    "ATM",
                    "DEBIT",
                    -i64::try_from((rng.below(10) + 1) * 2_000).unwrap_or(2_000),
                    "ATM WITHDRAWAL 000123 5TH AVE".to_owned(),
                    "",
                    None,
                ),
                _ => (
                    "SRVCHG",
                    "FEE_TRANSACTION",
                    "DEBIT",
                    -1_200,
                    "MONTHLY SERVICE FEE".to_owned(),
                    "",
                    None,
                ),
            };
            Txn {
                trntype,
                chase_type,
                details,
                days_back,
                seconds,
                cents,
                name,
                memo,
                checknum,
            }
        })
        .collect()
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The civil date `days_back` days before 2024-12-31 as (y, m, d).
fn date(days_back: u32) -> (i32, u32, u32) {
    const LENGTHS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut year, mut month, mut day) = (2024i32, 12u32, 31u32);
    for _ in 0..days_back {
        if day > 1 {
            day -= 1;
        } else {
            if month == 1 {
                year -= 1;
                month = 12;
            } else {
                month -= 1;
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            day = match month {
                2 if !leap => 28,
                m => LENGTHS
                    .get(usize::try_from(m - 1).unwrap_or(0))
                    .copied()
                    .unwrap_or(30),
            };
        }
    }
    (year, month, day)
}

fn ofx_datetime(t: &Txn) -> String {
    let (y, m, d) = date(t.days_back);
    let (h, mi, s) = (t.seconds / 3600, t.seconds / 60 % 60, t.seconds % 60);
    format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}.000[-5:EST]")
}

/// OFX 1.x SGML (`xml == false`) or 2.x XML, one bank statement.
pub fn ofx(txns: &[Txn], xml: bool) -> String {
    let mut out = String::with_capacity(txns.len() * 260 + 2_000);
    let nl = if xml { "\n" } else { "\r\n" };
    let leaf = |out: &mut String, tag: &str, value: &str| {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        out.push_str(value);
        if xml {
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        out.push_str(nl);
    };
    let open = |out: &mut String, tag: &str| {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        out.push_str(nl);
    };
    let close = |out: &mut String, tag: &str| {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
        out.push_str(nl);
    };
    if xml {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        out.push_str("<?OFX OFXHEADER=\"200\" VERSION=\"220\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n");
    } else {
        for line in [
            "OFXHEADER:100",
            "DATA:OFXSGML",
            "VERSION:102",
            "SECURITY:NONE",
            "ENCODING:USASCII",
            "CHARSET:1252",
            "COMPRESSION:NONE",
            "OLDFILEUID:NONE",
            "NEWFILEUID:NONE",
            "",
        ] {
            out.push_str(line);
            out.push_str(nl);
        }
    }
    open(&mut out, "OFX");
    open(&mut out, "SIGNONMSGSRSV1");
    open(&mut out, "SONRS");
    open(&mut out, "STATUS");
    leaf(&mut out, "CODE", "0");
    leaf(&mut out, "SEVERITY", "INFO");
    close(&mut out, "STATUS");
    leaf(&mut out, "DTSERVER", "20241231120000.000[-5:EST]");
    leaf(&mut out, "LANGUAGE", "ENG");
    close(&mut out, "SONRS");
    close(&mut out, "SIGNONMSGSRSV1");
    open(&mut out, "BANKMSGSRSV1");
    open(&mut out, "STMTTRNRS");
    leaf(&mut out, "TRNUID", "1");
    open(&mut out, "STATUS");
    leaf(&mut out, "CODE", "0");
    leaf(&mut out, "SEVERITY", "INFO");
    close(&mut out, "STATUS");
    open(&mut out, "STMTRS");
    leaf(&mut out, "CURDEF", "USD");
    open(&mut out, "BANKACCTFROM");
    leaf(&mut out, "BANKID", "322271627");
    leaf(&mut out, "ACCTID", "000123456789");
    leaf(&mut out, "ACCTTYPE", "CHECKING");
    close(&mut out, "BANKACCTFROM");
    open(&mut out, "BANKTRANLIST");
    leaf(&mut out, "DTSTART", "20240101120000.000[-5:EST]");
    leaf(&mut out, "DTEND", "20241231120000.000[-5:EST]");
    for (i, t) in txns.iter().enumerate() {
        open(&mut out, "STMTTRN");
        leaf(&mut out, "TRNTYPE", t.trntype);
        leaf(&mut out, "DTPOSTED", &ofx_datetime(t));
        leaf(&mut out, "TRNAMT", &money(t.cents));
        leaf(&mut out, "FITID", &format!("2024{i:010}"));
        if let Some(n) = t.checknum {
            leaf(&mut out, "CHECKNUM", &n.to_string());
        }
        leaf(&mut out, "NAME", &t.name);
        if !t.memo.is_empty() {
            leaf(&mut out, "MEMO", t.memo);
        }
        close(&mut out, "STMTTRN");
    }
    close(&mut out, "BANKTRANLIST");
    open(&mut out, "LEDGERBAL");
    leaf(&mut out, "BALAMT", "4325.75");
    leaf(&mut out, "DTASOF", "20241231120000.000[-5:EST]");
    close(&mut out, "LEDGERBAL");
    open(&mut out, "AVAILBAL");
    leaf(&mut out, "BALAMT", "4300.75");
    leaf(&mut out, "DTASOF", "20241231120000.000[-5:EST]");
    close(&mut out, "AVAILBAL");
    close(&mut out, "STMTRS");
    close(&mut out, "STMTTRNRS");
    close(&mut out, "BANKMSGSRSV1");
    close(&mut out, "OFX");
    out
}

/// A Chase checking export: newest first, quoted descriptions, the trailing comma.
pub fn chase_csv(txns: &[Txn]) -> String {
    let mut out = String::with_capacity(txns.len() * 90 + 100);
    out.push_str("Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\r\n");
    let mut balance: i64 = 432_575;
    for t in txns {
        let (y, m, d) = date(t.days_back);
        let check = t.checknum.map(|n| n.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{m:02}/{d:02}/{y:04},\"{}\",{},{},{},{check},\r\n",
            t.details,
            t.name,
            money(t.cents),
            t.chase_type,
            money(balance)
        ));
        balance -= t.cents;
    }
    out
}
