//! Which transaction each seeded row is, and its amounts: the investor's mix of trades (with
//! fee legs), dividends, interest, ACH, journals and wires.

use chrono::{Datelike, Duration, NaiveDate};

use super::{
    accounts::{Account, Role},
    securities::{self as s, Sec},
    transactions::{Body, Txn},
};
use crate::{Profile, hash, money::Dec};

#[derive(Clone, Copy)]
enum K {
    BuyEq,
    SellEq,
    BuyEtf,
    SellEtf,
    BuyOpt,
    SellOptOpen,
    BuyMf,
    Dividend,
    Interest,
    AchIn,
    AchOut,
    Journal,
    WireOut,
}

/// Cycle lengths coprime to 7, so weekday-only dates still meet every kind.
const MARGIN: [K; 13] = [
    K::BuyEq,
    K::Dividend,
    K::BuyEtf,
    K::SellEq,
    K::AchIn,
    K::Interest,
    K::BuyOpt,
    K::Journal,
    K::SellEtf,
    K::SellOptOpen,
    K::AchOut,
    K::BuyMf,
    K::WireOut,
];
const ROTH: [K; 5] = [K::BuyEtf, K::Dividend, K::AchIn, K::Interest, K::SellEtf];

fn jitter(price: Dec, h: u64) -> Dec {
    let bp = (h % 1001) as i64 - 500; // ±5 %
    (price + price.mul(Dec(bp))).round(2)
}

pub(crate) fn row(
    profile: Profile,
    account: &Account,
    index: u64,
    date: NaiveDate,
    k: u64,
    seed: u64,
) -> Txn {
    let day = i64::from(date.num_days_from_ce());
    let h = hash::mix(&[seed, day as u64, k]);
    let cycle: &[K] = if account.role == Role::Roth {
        &ROTH
    } else {
        &MARGIN
    };
    let kind = cycle[((day as u64) + k * 6) as usize % cycle.len()];
    let etfs = if account.role == Role::Roth {
        &s::ROTH_ETFS
    } else {
        &s::MARGIN_ETFS
    };
    let pick = |list: &[&'static Sec]| list[(h % list.len() as u64) as usize];
    let small = ((h >> 8) % 20) as i64 + 1;
    let price = |sec: &Sec| jitter(sec.price, h >> 20);
    let trade =
        |sec: &'static Sec, quantity: Dec, fees: Vec<(&'static str, Dec)>, effect| Body::Trade {
            sec,
            quantity,
            price: price(sec),
            fees,
            effect,
        };
    let sale_fees = |sec: &Sec, qty: i64| {
        let proceeds = price(sec).times(qty);
        vec![
            // SEC fee: $27.80 per million of proceeds; FINRA TAF: $0.000166 a share.
            (
                "SEC_FEE",
                Dec(proceeds.0 * 278 / 10_000_000)
                    .round(2)
                    .max(Dec::cents(1)),
            ),
            ("TAF_FEE", Dec(qty * 166 / 100).round(2).max(Dec::cents(1))),
        ]
    };
    let option_fees = |contracts: i64| {
        vec![
            ("COMMISSION", Dec::cents(65).times(contracts)),
            ("OPT_REG_FEE", Dec::cents(2).times(contracts)),
        ]
    };
    let cents = |lo: u64, span: u64| Dec::cents((lo + (h >> 12) % span) as i64);
    let (ty, description, body) = match kind {
        K::BuyEq => (
            "TRADE",
            "Buy Trade",
            trade(pick(&s::EQUITIES), Dec::int(small), vec![], "OPENING"),
        ),
        K::SellEq => {
            let sec = pick(&s::EQUITIES);
            (
                "TRADE",
                "Sell Trade",
                trade(sec, Dec::int(-small), sale_fees(sec, small), "CLOSING"),
            )
        }
        K::BuyEtf => (
            "TRADE",
            "Buy Trade",
            trade(pick(etfs), Dec::int(small), vec![], "OPENING"),
        ),
        K::SellEtf => {
            let sec = pick(etfs);
            (
                "TRADE",
                "Sell Trade",
                trade(sec, Dec::int(-small), sale_fees(sec, small), "CLOSING"),
            )
        }
        K::BuyOpt => {
            let n = small % 3 + 1;
            (
                "TRADE",
                "Buy to Open",
                trade(&s::AAPL_CALL, Dec::int(n), option_fees(n), "OPENING"),
            )
        }
        K::SellOptOpen => (
            "TRADE",
            "Sell to Open",
            trade(&s::TSLA_PUT, Dec::int(-1), option_fees(1), "OPENING"),
        ),
        K::BuyMf => {
            let qty = Dec(100_000 + ((h >> 8) % 500_000) as i64);
            let body = Body::Trade {
                sec: &s::SWPPX,
                quantity: qty,
                price: s::SWPPX.price,
                fees: vec![],
                effect: "OPENING",
            };
            ("TRADE", "Buy Trade", body)
        }
        K::Dividend => {
            let sec = pick(if (h >> 4).is_multiple_of(2) {
                &s::EQUITIES
            } else {
                etfs
            });
            let d = if (h >> 5).is_multiple_of(3) {
                "QUALIFIED DIVIDEND"
            } else {
                "ORDINARY DIVIDEND"
            };
            (
                "DIVIDEND_OR_INTEREST",
                d,
                Body::Income {
                    sec: Some(sec),
                    amount: cents(500, 9500),
                },
            )
        }
        K::Interest => {
            let d = if account.role == Role::Roth {
                "INTEREST"
            } else {
                "BANK INT SCHWAB BANK"
            };
            (
                "DIVIDEND_OR_INTEREST",
                d,
                Body::Income {
                    sec: None,
                    amount: cents(5, 995),
                },
            )
        }
        K::AchIn => (
            "ACH_RECEIPT",
            "CLIENT REQUESTED ELECTRONIC FUNDING RECEIPT (FUNDS NOW)",
            Body::Cash {
                amount: Dec::int(100 * (5 + ((h >> 8) % 45) as i64)),
            },
        ),
        K::AchOut => (
            "ACH_DISBURSEMENT",
            "CLIENT REQUESTED ELECTRONIC FUNDING DISBURSEMENT (FUNDS NOW)",
            Body::Cash {
                amount: -Dec::int(100 * (2 + ((h >> 8) % 18) as i64)),
            },
        ),
        K::Journal => {
            let amount = Dec::int(50 * (2 + ((h >> 8) % 18) as i64));
            let amount = if (h >> 3).is_multiple_of(2) {
                amount
            } else {
                -amount
            };
            ("JOURNAL", "INTRA-ACCOUNT TRANSFER", Body::Cash { amount })
        }
        K::WireOut => (
            "WIRE_OUT",
            "WIRED FUNDS DISBURSED",
            Body::Cash {
                amount: -Dec::int(1000 + 100 * ((h >> 8) % 90) as i64),
            },
        ),
    };
    let since_2000 = day
        - i64::from(NaiveDate::from_ymd_opt(2000, 1, 1).map_or(730_120, |d| d.num_days_from_ce()));
    let id = 80_000_000_000
        + profile.ordinal() as i64 * 1_000_000_000
        + index as i64 * 100_000_000
        + since_2000 * 100
        + k as i64;
    let offset =
        Duration::minutes(14 * 60 + 30 + 13 * k as i64) + Duration::seconds((h % 600) as i64);
    Txn {
        id,
        time: date.and_time(chrono::NaiveTime::MIN).and_utc() + offset,
        kind: ty,
        description,
        body,
    }
}
