//! The Alpaca paper account and positions of each profile (string decimals).

use serde_json::{Value, json};

use crate::{Profile, hash, money::Dec};

pub(crate) struct Pos {
    pub symbol: &'static str,
    pub exchange: &'static str,
    pub class: &'static str,
    /// Signed: negative for a short position.
    pub qty: Dec,
    pub avg: Dec,
    pub price: Dec,
    pub lastday: Dec,
}

impl Pos {
    fn multiplier(&self) -> i64 {
        if self.class == "us_option" { 100 } else { 1 }
    }

    fn value_at(&self, price: Dec) -> Dec {
        self.qty.mul(price).times(self.multiplier()).round(2)
    }

    fn json(&self, profile: Profile) -> Value {
        let mv = self.value_at(self.price);
        let cost = self.value_at(self.avg);
        let pl = mv - cost;
        let intraday = mv - self.value_at(self.lastday);
        let change = (self.price - self.lastday)
            .div(self.lastday)
            .unwrap_or_default();
        json!({
            "asset_id": hash::uuid(hash::text(&format!("alpaca-asset:{}", self.symbol))).to_string(),
            "symbol": self.symbol,
            "exchange": self.exchange,
            "asset_class": self.class,
            "avg_entry_price": self.avg.str(),
            "qty": self.qty.str(),
            "side": if self.qty.0 < 0 { "short" } else { "long" },
            "market_value": mv.str(),
            "cost_basis": cost.str(),
            "unrealized_pl": pl.str(),
            "unrealized_plpc": pl.div(cost.abs()).unwrap_or_default().str(),
            "unrealized_intraday_pl": intraday.str(),
            "unrealized_intraday_plpc": (if self.qty.0 < 0 { -change } else { change }).str(),
            "current_price": self.price.str(),
            "lastday_price": self.lastday.str(),
            "change_today": change.str(),
            "qty_available": self.qty.str(),
            "asset_marginable": self.class != "crypto" && profile != Profile::Empty,
        })
    }
}

const fn pos(
    symbol: &'static str,
    exchange: &'static str,
    class: &'static str,
    qty: Dec,
    avg: Dec,
    price: Dec,
    lastday: Dec,
) -> Pos {
    Pos {
        symbol,
        exchange,
        class,
        qty,
        avg,
        price,
        lastday,
    }
}

pub(crate) fn positions(profile: Profile) -> Vec<Pos> {
    if profile == Profile::Empty {
        return Vec::new();
    }
    vec![
        pos(
            "AAPL",
            "NASDAQ",
            "us_equity",
            Dec::int(25),
            Dec::new(182, 4000),
            Dec::new(227, 5200),
            Dec::new(225, 1000),
        ),
        pos(
            "MSFT",
            "NASDAQ",
            "us_equity",
            Dec::int(12),
            Dec::new(330, 1500),
            Dec::new(415, 3000),
            Dec::int(412),
        ),
        pos(
            "SPY",
            "ARCA",
            "us_equity",
            Dec::int(30),
            Dec::int(470),
            Dec::new(598, 2000),
            Dec::new(595, 3500),
        ),
        pos(
            "TSLA",
            "NASDAQ",
            "us_equity",
            Dec::int(-10),
            Dec::int(260),
            Dec::new(248, 5000),
            Dec::new(251, 2000),
        ),
        pos(
            "BTCUSD",
            "CRYPTO",
            "crypto",
            Dec::new(0, 2500),
            Dec::int(61250),
            Dec::new(97400, 5000),
            Dec::int(96800),
        ),
        pos(
            "AAPL270115C00250000",
            "",
            "us_option",
            Dec::int(2),
            Dec::new(9, 8000),
            Dec::new(12, 3500),
            Dec::new(11, 9000),
        ),
    ]
}

pub(crate) fn positions_json(profile: Profile) -> Value {
    positions(profile).iter().map(|p| p.json(profile)).collect()
}

/// `PA` and ten upper-case letters and digits, like a paper account number.
fn account_number(profile: Profile) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h = hash::mix(&[profile.ordinal(), 0xa1]);
    let mut s = String::from("PA");
    for _ in 0..10 {
        s.push(char::from(ALPHABET[(h % 36) as usize]));
        h /= 36;
    }
    s
}

pub(crate) fn account_json(profile: Profile) -> Value {
    let positions = positions(profile);
    let cash = if profile == Profile::Empty {
        Dec::ZERO
    } else {
        Dec::new(24563, 2100)
    };
    let long: Dec = positions
        .iter()
        .map(|p| p.value_at(p.price))
        .filter(|v| v.0 > 0)
        .sum();
    let short: Dec = positions
        .iter()
        .map(|p| p.value_at(p.price))
        .filter(|v| v.0 < 0)
        .sum();
    let last: Dec = positions.iter().map(|p| p.value_at(p.lastday)).sum();
    let equity = cash + long + short;
    let initial = (long - short).mul(Dec::new(0, 5000)).round(2);
    let maintenance = (long - short).mul(Dec::new(0, 3000)).round(2);
    let buying = (equity - initial).times(2).max(Dec::ZERO);
    json!({
        "id": hash::uuid(hash::mix(&[profile.ordinal(), 0xacc])).to_string(),
        "account_number": account_number(profile),
        "status": "ACTIVE",
        "crypto_status": "ACTIVE",
        "currency": "USD",
        "buying_power": buying.str(),
        "regt_buying_power": buying.str(),
        "daytrading_buying_power": buying.times(2).str(),
        "non_marginable_buying_power": cash.str(),
        "options_buying_power": cash.str(),
        "cash": cash.str(),
        "accrued_fees": "0",
        "pending_transfer_in": "0",
        "pending_transfer_out": "0",
        "portfolio_value": equity.str(),
        "pattern_day_trader": false,
        "trading_blocked": false,
        "transfers_blocked": false,
        "account_blocked": false,
        "created_at": "2024-02-12T15:20:07.99658Z",
        "trade_suspended_by_user": false,
        "multiplier": "2",
        "shorting_enabled": true,
        "equity": equity.str(),
        "last_equity": (cash + last).str(),
        "long_market_value": long.str(),
        "short_market_value": short.str(),
        "initial_margin": initial.str(),
        "maintenance_margin": maintenance.str(),
        "last_maintenance_margin": maintenance.str(),
        "sma": cash.str(),
        "daytrade_count": 0,
        "options_approved_level": "2",
        "options_trading_level": "2",
    })
}
