//! The securities the Schwab sandbox holds and trades, with today's and yesterday's prices,
//! and their `instrument` JSON.

use serde_json::{Value, json};

use crate::money::Dec;

pub(crate) struct OptionTerms {
    pub put_call: &'static str,
    pub underlying: &'static str,
    pub underlying_cusip: &'static str,
    pub strike: Dec,
    pub expiration: &'static str,
}

pub(crate) struct Sec {
    pub asset_type: &'static str,
    pub symbol: &'static str,
    pub cusip: &'static str,
    pub description: &'static str,
    /// `instrument.type` (COMMON_STOCK, EXCHANGE_TRADED_FUND, VANILLA, ...).
    pub kind: &'static str,
    pub instrument_id: i64,
    pub price: Dec,
    pub prev_close: Dec,
    pub option: Option<OptionTerms>,
}

impl Sec {
    /// 100 for an option contract, else 1.
    pub fn multiplier(&self) -> i64 {
        if self.option.is_some() { 100 } else { 1 }
    }

    /// The instrument as the accounts API shows it in a position.
    pub fn position_json(&self) -> Value {
        let mut v = json!({
            "assetType": self.asset_type,
            "cusip": self.cusip,
            "symbol": self.symbol,
            "description": self.description,
            "instrumentId": self.instrument_id,
            "netChange": (self.price - self.prev_close).num(),
            "type": self.kind,
        });
        if let Some(o) = &self.option {
            v["putCall"] = json!(o.put_call);
            v["underlyingSymbol"] = json!(o.underlying);
        }
        v
    }

    /// The instrument as a transaction's `transferItems[]` shows it.
    pub fn transfer_json(&self) -> Value {
        let mut v = json!({
            "assetType": self.asset_type,
            "status": "ACTIVE",
            "symbol": self.symbol,
            "description": self.description,
            "cusip": self.cusip,
            "instrumentId": self.instrument_id,
            "closingPrice": self.prev_close.num(),
            "type": self.kind,
        });
        if let Some(o) = &self.option {
            v["expirationDate"] = json!(format!("{}T05:00:00+0000", o.expiration));
            v["optionDeliverables"] = json!([{
                "rootSymbol": o.underlying,
                "strikePercent": 100,
                "deliverableNumber": 1,
                "deliverableUnits": 100,
                "deliverable": {"assetType": "EQUITY", "status": "ACTIVE", "symbol": o.underlying,
                                "instrumentId": self.instrument_id / 10, "closingPrice": 0,
                                "type": "COMMON_STOCK"},
            }]);
            v["optionPremiumMultiplier"] = json!(100);
            v["putCall"] = json!(o.put_call);
            v["strikePrice"] = o.strike.num();
            v["type"] = json!("VANILLA");
            v["underlyingSymbol"] = json!(o.underlying);
            v["underlyingCusip"] = json!(o.underlying_cusip);
        }
        v
    }
}

/// The `CURRENCY_USD` instrument of fee and cash legs.
pub(crate) fn usd_json() -> Value {
    json!({"assetType": "CURRENCY", "status": "ACTIVE", "symbol": "CURRENCY_USD",
           "description": "USD currency", "instrumentId": 1, "closingPrice": 0})
}

#[allow(clippy::too_many_arguments)] // a table row
const fn sec(
    asset_type: &'static str,
    symbol: &'static str,
    cusip: &'static str,
    description: &'static str,
    kind: &'static str,
    instrument_id: i64,
    price: Dec,
    prev_close: Dec,
) -> Sec {
    Sec {
        asset_type,
        symbol,
        cusip,
        description,
        kind,
        instrument_id,
        price,
        prev_close,
        option: None,
    }
}

const EQ: &str = "EQUITY";
const ETF: &str = "COLLECTIVE_INVESTMENT";

pub(crate) static AAPL: Sec = sec(
    EQ,
    "AAPL",
    "037833100",
    "APPLE INC",
    "COMMON_STOCK",
    1973757747,
    Dec::new(227, 5200),
    Dec::new(225, 1000),
);
pub(crate) static MSFT: Sec = sec(
    EQ,
    "MSFT",
    "594918104",
    "MICROSOFT CORP",
    "COMMON_STOCK",
    1975042213,
    Dec::new(415, 3000),
    Dec::new(412, 0),
);
pub(crate) static NVDA: Sec = sec(
    EQ,
    "NVDA",
    "67066G104",
    "NVIDIA CORP",
    "COMMON_STOCK",
    1979393456,
    Dec::new(138, 2500),
    Dec::new(140, 1000),
);
pub(crate) static JNJ: Sec = sec(
    EQ,
    "JNJ",
    "478160104",
    "JOHNSON & JOHNSON",
    "COMMON_STOCK",
    1974861427,
    Dec::new(156, 4000),
    Dec::new(155, 9000),
);
pub(crate) static VTI: Sec = sec(
    ETF,
    "VTI",
    "922908769",
    "VANGUARD TOTAL STOCK MARKET ETF",
    "EXCHANGE_TRADED_FUND",
    2004135436,
    Dec::new(289, 7500),
    Dec::new(288, 1000),
);
pub(crate) static SPY: Sec = sec(
    ETF,
    "SPY",
    "78462F103",
    "SPDR S&P 500 ETF",
    "EXCHANGE_TRADED_FUND",
    1981416254,
    Dec::new(598, 2000),
    Dec::new(595, 3500),
);
pub(crate) static VOO: Sec = sec(
    ETF,
    "VOO",
    "922908363",
    "VANGUARD S&P 500 ETF",
    "EXCHANGE_TRADED_FUND",
    2004215471,
    Dec::new(549, 8000),
    Dec::new(547, 1000),
);
pub(crate) static SCHD: Sec = sec(
    ETF,
    "SCHD",
    "808524797",
    "SCHWAB US DIVIDEND EQUITY ETF",
    "EXCHANGE_TRADED_FUND",
    2041339922,
    Dec::new(28, 4500),
    Dec::new(28, 3000),
);
pub(crate) static SWPPX: Sec = sec(
    "MUTUAL_FUND",
    "SWPPX",
    "808509855",
    "SCHWAB S&P 500 INDEX",
    "OPEN_END_NON_TAXABLE",
    2054791144,
    Dec::new(15, 6200),
    Dec::new(15, 5500),
);
pub(crate) static SWVXX: Sec = sec(
    "CASH_EQUIVALENT",
    "SWVXX",
    "808515605",
    "SCHWAB VALUE ADVANTAGE MONEY INV",
    "MONEY_MARKET_FUND",
    2054791187,
    Dec::int(1),
    Dec::int(1),
);

pub(crate) static AAPL_CALL: Sec = Sec {
    option: Some(OptionTerms {
        put_call: "CALL",
        underlying: "AAPL",
        underlying_cusip: "037833100",
        strike: Dec::int(250),
        expiration: "2027-01-15",
    }),
    ..sec(
        "OPTION",
        "AAPL  270115C00250000",
        "0AAPL.AF70250000",
        "APPLE INC 01/15/2027 $250 Call",
        "VANILLA",
        219737574,
        Dec::new(12, 3500),
        Dec::new(11, 9000),
    )
};

pub(crate) static TSLA_PUT: Sec = Sec {
    option: Some(OptionTerms {
        put_call: "PUT",
        underlying: "TSLA",
        underlying_cusip: "88160R101",
        strike: Dec::int(200),
        expiration: "2027-01-15",
    }),
    ..sec(
        "OPTION",
        "TSLA  270115P00200000",
        "0TSLA.MF70200000",
        "TESLA INC 01/15/2027 $200 Put",
        "VANILLA",
        219741233,
        Dec::new(8, 4000),
        Dec::new(8, 7500),
    )
};

pub(crate) static EQUITIES: [&Sec; 4] = [&AAPL, &MSFT, &NVDA, &JNJ];
pub(crate) static MARGIN_ETFS: [&Sec; 2] = [&VTI, &SPY];
pub(crate) static ROTH_ETFS: [&Sec; 2] = [&VOO, &SCHD];
