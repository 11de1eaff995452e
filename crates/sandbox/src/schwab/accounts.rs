//! The Schwab accounts of each profile: numbers, hashes, positions, balances, preferences.

use serde_json::{Value, json};

use super::securities::{self as s, Sec};
use crate::{Profile, hash, money::Dec};

pub(crate) struct Holding {
    pub sec: &'static Sec,
    pub long: Dec,
    pub short: Dec,
    pub average: Dec,
}

/// Which transaction mix an account gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Margin,
    Roth,
    Empty,
}

pub(crate) struct Account {
    pub number: String,
    pub hash: String,
    /// `CASH` or `MARGIN`: the only types the API sends.
    pub kind: &'static str,
    pub role: Role,
    pub nickname: &'static str,
    pub cash: Dec,
    pub holdings: Vec<Holding>,
}

const fn h(sec: &'static Sec, long: Dec, short: Dec, average: Dec) -> Holding {
    Holding {
        sec,
        long,
        short,
        average,
    }
}

fn account(profile: Profile, index: u64, kind: &'static str, role: Role) -> Account {
    let number = format!("{:04}{:04}", 4400 + profile.ordinal(), 1001 + index);
    Account {
        hash: hash::hex64(hash::text(&format!("schwab-account:{number}"))),
        number,
        kind,
        role,
        nickname: "",
        cash: Dec::ZERO,
        holdings: Vec::new(),
    }
}

/// The profile's accounts, the same on every call.
pub(crate) fn accounts(profile: Profile) -> Vec<Account> {
    if profile == Profile::Empty {
        return vec![Account {
            nickname: "Brokerage",
            ..account(profile, 0, "CASH", Role::Empty)
        }];
    }
    let z = Dec::ZERO;
    let margin = Account {
        nickname: "Individual",
        cash: Dec::new(5234, 1700),
        holdings: vec![
            h(&s::AAPL, Dec::int(50), z, Dec::new(150, 2500)),
            h(&s::MSFT, Dec::int(20), z, Dec::new(310, 4000)),
            h(&s::NVDA, Dec::int(30), z, Dec::new(95, 1000)),
            h(&s::JNJ, Dec::int(15), z, Dec::int(160)),
            h(&s::VTI, Dec::int(40), z, Dec::new(210, 5500)),
            h(&s::SPY, Dec::int(10), z, Dec::int(450)),
            h(&s::SWPPX, Dec::new(100, 5000), z, Dec::new(12, 1000)),
            h(&s::SWVXX, Dec::int(2500), z, Dec::int(1)),
            h(&s::AAPL_CALL, Dec::int(2), z, Dec::new(9, 8000)),
            h(&s::TSLA_PUT, z, Dec::int(1), Dec::new(10, 2000)),
        ],
        ..account(profile, 0, "MARGIN", Role::Margin)
    };
    let roth = Account {
        nickname: "Roth IRA",
        cash: Dec::new(1250, 4000),
        holdings: vec![
            h(&s::VOO, Dec::int(12), z, Dec::int(420)),
            h(&s::SCHD, Dec::int(150), z, Dec::new(25, 1000)),
        ],
        ..account(profile, 1, "CASH", Role::Roth)
    };
    vec![margin, roth]
}

impl Holding {
    fn quantity(&self) -> Dec {
        self.long - self.short
    }

    fn value_at(&self, price: Dec) -> Dec {
        self.quantity()
            .mul(price)
            .times(self.sec.multiplier())
            .round(2)
    }

    fn json(&self, margin: bool) -> Value {
        let (sec, m) = (self.sec, self.sec.multiplier());
        let market_value = self.value_at(sec.price);
        let day_pl = market_value - self.value_at(sec.prev_close);
        let day_pct = (sec.price - sec.prev_close)
            .div(sec.prev_close)
            .unwrap_or(Dec::ZERO)
            .times(100)
            .round(2);
        let open_pl = (sec.price - self.average)
            .mul(self.quantity())
            .times(m)
            .round(2);
        let (long_pl, short_pl) = if self.short.0 > 0 {
            (Dec::ZERO, open_pl)
        } else {
            (open_pl, Dec::ZERO)
        };
        let maintenance = if margin {
            market_value.abs().mul(Dec::new(0, 2500)).round(2)
        } else {
            Dec::ZERO
        };
        json!({
            "shortQuantity": self.short.num(),
            "averagePrice": self.average.num(),
            "currentDayProfitLoss": day_pl.num(),
            "currentDayProfitLossPercentage": day_pct.num(),
            "longQuantity": self.long.num(),
            "settledLongQuantity": self.long.num(),
            "settledShortQuantity": self.short.num(),
            "instrument": sec.position_json(),
            "marketValue": market_value.num(),
            "maintenanceRequirement": maintenance.num(),
            "averageLongPrice": if self.long.0 > 0 { self.average } else { Dec::ZERO }.num(),
            "averageShortPrice": if self.short.0 > 0 { self.average } else { Dec::ZERO }.num(),
            "taxLotAverageLongPrice": if self.long.0 > 0 { self.average } else { Dec::ZERO }.num(),
            "taxLotAverageShortPrice": if self.short.0 > 0 { self.average } else { Dec::ZERO }.num(),
            "longOpenProfitLoss": long_pl.num(),
            "shortOpenProfitLoss": short_pl.num(),
            "previousSessionLongQuantity": self.long.num(),
            "previousSessionShortQuantity": self.short.num(),
            "currentDayCost": 0,
        })
    }
}

/// Market values by bucket, at today's or yesterday's prices.
struct Values {
    long_market: Dec,
    long_option: Dec,
    short_option: Dec,
    short_market: Dec,
    mutual_fund: Dec,
    money_market: Dec,
    liquidation: Dec,
}

impl Account {
    fn values(&self, today: bool) -> Values {
        let mut v = Values {
            long_market: Dec::ZERO,
            long_option: Dec::ZERO,
            short_option: Dec::ZERO,
            short_market: Dec::ZERO,
            mutual_fund: Dec::ZERO,
            money_market: Dec::ZERO,
            liquidation: self.cash,
        };
        for h in &self.holdings {
            let value = h.value_at(if today { h.sec.price } else { h.sec.prev_close });
            let bucket = match (h.sec.asset_type, value.0 < 0) {
                ("OPTION", false) => &mut v.long_option,
                ("OPTION", true) => &mut v.short_option,
                ("MUTUAL_FUND", _) => &mut v.mutual_fund,
                ("CASH_EQUIVALENT", _) => &mut v.money_market,
                (_, true) => &mut v.short_market,
                _ => &mut v.long_market,
            };
            *bucket = *bucket + value;
            v.liquidation = v.liquidation + value;
        }
        v
    }

    fn balances(&self, today: bool) -> Value {
        let v = self.values(today);
        let cash = self.cash.num();
        let mut b = json!({
            "accruedInterest": 0, "cashBalance": cash, "cashReceipts": 0,
            "longOptionMarketValue": v.long_option.num(), "liquidationValue": v.liquidation.num(),
            "longMarketValue": v.long_market.num(), "moneyMarketFund": v.money_market.num(),
            "savings": 0, "shortMarketValue": v.short_market.num(), "pendingDeposits": 0,
            "mutualFundValue": v.mutual_fund.num(), "bondValue": 0,
            "shortOptionMarketValue": v.short_option.num(),
        });
        let extra = if self.kind == "MARGIN" {
            json!({
                "availableFunds": cash, "availableFundsNonMarginableTrade": cash,
                "buyingPower": self.cash.times(2).num(), "buyingPowerNonMarginableTrade": cash,
                "dayTradingBuyingPower": self.cash.times(4).num(), "equity": v.liquidation.num(),
                "equityPercentage": 100, "longMarginValue": v.long_market.num(), "maintenanceCall": 0,
                "maintenanceRequirement": 0, "marginBalance": 0, "regTCall": 0, "shortBalance": 0,
                "shortMarginValue": 0, "sma": cash, "isInCall": false,
                "stockBuyingPower": self.cash.times(2).num(), "optionBuyingPower": cash,
            })
        } else {
            json!({
                "cashAvailableForTrading": cash, "cashAvailableForWithdrawal": cash, "cashCall": 0,
                "longNonMarginableMarketValue": (v.long_market + v.mutual_fund).num(),
                "totalCash": cash, "cashDebitCallValue": 0, "unsettledCash": 0,
            })
        };
        if let (Some(b), Value::Object(extra)) = (b.as_object_mut(), extra) {
            b.extend(extra);
        }
        b
    }

    /// One element of `GET /accounts`, or the body of `GET /accounts/{hash}`.
    pub fn json(&self, with_positions: bool) -> Value {
        let margin = self.kind == "MARGIN";
        let mut sa = json!({
            "type": self.kind,
            "accountNumber": self.number,
            "roundTrips": 0,
            "isDayTrader": false,
            "isClosingOnlyRestricted": false,
            "pfcbFlag": false,
        });
        if with_positions {
            sa["positions"] = self.holdings.iter().map(|h| h.json(margin)).collect();
        }
        sa["initialBalances"] = self.balances(false);
        sa["currentBalances"] = self.balances(true);
        let cash = self.cash.num();
        sa["projectedBalances"] = if margin {
            json!({"availableFunds": cash, "availableFundsNonMarginableTrade": cash,
                   "buyingPower": self.cash.times(2).num(), "dayTradingBuyingPower": self.cash.times(4).num(),
                   "stockBuyingPower": self.cash.times(2).num(), "isInCall": false})
        } else {
            json!({"cashAvailableForTrading": cash, "cashAvailableForWithdrawal": cash})
        };
        let liquidation = self.values(true).liquidation.num();
        json!({
            "securitiesAccount": sa,
            "aggregatedBalance": {"currentLiquidationValue": liquidation, "liquidationValue": liquidation},
        })
    }

    /// This account in `GET /userPreference`.
    pub fn preference_json(&self, primary: bool) -> Value {
        let last4 = &self.number[self.number.len().saturating_sub(4)..];
        json!({
            "accountNumber": self.number,
            "primaryAccount": primary,
            "type": "BROKERAGE",
            "nickName": self.nickname,
            "accountColor": if primary { "Green" } else { "Blue" },
            "displayAcctId": format!("...{last4}"),
            "autoPositionEffect": false,
        })
    }
}
