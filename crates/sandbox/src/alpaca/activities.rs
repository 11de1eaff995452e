//! The seeded Alpaca account activities: two on each weekday of the last 120 days, each a
//! function of (profile, date, index) so ids never change.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use serde_json::{Value, json};

use crate::{Profile, hash, money::Dec};

pub(crate) struct Activity {
    /// `YYYYMMDDHHMMSSmmm::<uuid>`: sorts as it happened.
    pub id: String,
    pub activity_type: &'static str,
    pub time: DateTime<Utc>,
    pub json: Value,
}

#[derive(Clone, Copy)]
enum K {
    Buy,
    Sell,
    SellShort,
    Crypto,
    Option,
    Csd,
    Csw,
    Div,
    Int,
    Fee,
}

/// Length 11 (coprime to 7), so weekday-only dates still meet every kind.
const MIX: [K; 11] = [
    K::Buy,
    K::Div,
    K::Sell,
    K::Fee,
    K::Csd,
    K::SellShort,
    K::Int,
    K::Crypto,
    K::Csw,
    K::Option,
    K::Fee,
];

const STOCKS: [(&str, Dec); 4] = [
    ("AAPL", Dec::new(227, 5200)),
    ("MSFT", Dec::new(415, 3000)),
    ("SPY", Dec::new(598, 2000)),
    ("TSLA", Dec::new(248, 5000)),
];

/// Newest first.
pub(crate) fn generate(profile: Profile, today: NaiveDate) -> Vec<Activity> {
    if profile == Profile::Empty {
        return Vec::new();
    }
    let mut out = Vec::new();
    for back in 1..=120 {
        let date = today - Duration::days(back);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for k in 0..2 {
            out.push(activity(profile, date, k));
        }
    }
    out.sort_by(|a, b| b.id.cmp(&a.id));
    out
}

fn activity(profile: Profile, date: NaiveDate, k: u64) -> Activity {
    let day = date.num_days_from_ce() as u64;
    let h = hash::mix(&[profile.ordinal(), day, k, 0xa9]);
    let kind = MIX[((day + k * 4) % MIX.len() as u64) as usize];
    let uuid = hash::uuid(h);
    let (stock, stock_price) = STOCKS[(h % STOCKS.len() as u64) as usize];
    let jitter = |p: Dec| (p + p.mul(Dec(((h >> 16) % 1001) as i64 - 500))).round(2);
    let qty = Dec::int(((h >> 8) % 20) as i64 + 1);
    let fill = |symbol: &str, side: &str, qty: Dec, price: Dec| {
        let t = date.and_time(NaiveTime::MIN).and_utc()
            + Duration::minutes(14 * 60 + 30 + 97 * k as i64)
            + Duration::milliseconds((h % 3_600_000) as i64);
        (
            t,
            json!({
                "activity_type": "FILL",
                "transaction_time": format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S%.6f")),
                "type": "fill",
                "price": price.str(),
                "qty": qty.str(),
                "side": side,
                "symbol": symbol,
                "leaves_qty": "0",
                "order_id": hash::uuid(h ^ 0x0de5).to_string(),
                "cum_qty": qty.str(),
                "order_status": "filled",
            }),
        )
    };
    let midnight = date.and_time(NaiveTime::MIN).and_utc();
    let nta = |ty: &str, amount: Dec, description: &str| {
        (
            midnight,
            json!({
                "activity_type": ty,
                "date": date.format("%Y-%m-%d").to_string(),
                "net_amount": amount.str(),
                "description": description,
                "status": "executed",
            }),
        )
    };
    let (ty, (time, mut json)) = match kind {
        K::Buy => ("FILL", fill(stock, "buy", qty, jitter(stock_price))),
        K::Sell => ("FILL", fill(stock, "sell", qty, jitter(stock_price))),
        K::SellShort => (
            "FILL",
            fill("TSLA", "sell_short", qty, jitter(Dec::new(248, 5000))),
        ),
        K::Crypto => (
            "FILL",
            fill(
                "BTC/USD",
                "buy",
                Dec(((h >> 8) % 900) as i64 + 100),
                jitter(Dec::new(97400, 5000)),
            ),
        ),
        K::Option => (
            "FILL",
            fill(
                "AAPL270115C00250000",
                "buy",
                Dec::int(1),
                jitter(Dec::new(12, 3500)),
            ),
        ),
        K::Csd => (
            "CSD",
            nta("CSD", Dec::int(100 * (5 + ((h >> 8) % 95) as i64)), ""),
        ),
        K::Csw => (
            "CSW",
            nta("CSW", -Dec::int(100 * (1 + ((h >> 8) % 20) as i64)), ""),
        ),
        K::Int => (
            "INT",
            nta(
                "INT",
                Dec::cents(1 + ((h >> 8) % 2500) as i64),
                "Interest credit",
            ),
        ),
        K::Fee => (
            "FEE",
            nta("FEE", -Dec::cents(1 + ((h >> 8) % 3) as i64), "REG/TAF fee"),
        ),
        K::Div => {
            let per_share = Dec::cents(10 + ((h >> 8) % 90) as i64);
            let (t, mut v) = nta("DIV", per_share.mul(qty), "Cash DIV");
            v["symbol"] = json!(stock);
            v["qty"] = qty.str();
            v["per_share_amount"] = per_share.str();
            ("DIV", (t, v))
        }
    };
    let id = format!("{}::{uuid}", time.format("%Y%m%d%H%M%S%3f"));
    if let Some(o) = json.as_object_mut() {
        o.insert("id".into(), json!(id));
    }
    Activity {
        id,
        activity_type: ty,
        time,
        json,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn at_least_150_activities_of_every_kind_whatever_the_day() {
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for offset in 0..30 {
            let all = generate(Profile::Investor, first + Duration::days(offset * 11));
            assert!(all.len() >= 150, "{}", all.len());
            let kinds: BTreeSet<&str> = all.iter().map(|a| a.activity_type).collect();
            assert_eq!(kinds.len(), 6, "{kinds:?}");
            let ids: BTreeSet<&str> = all.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(ids.len(), all.len());
        }
    }
}
