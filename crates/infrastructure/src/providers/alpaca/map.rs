//! Alpaca's wire elements → the domain's provider data (the tables are in
//! `dashtam_domain::providers::mapping::alpaca`).

use chrono::{DateTime, NaiveDate};
use dashtam_domain::{
    portfolio::{AccountType, AssetType, Currency, TransactionType},
    providers::{
        ProviderAccount, ProviderError, ProviderHolding, ProviderTransaction,
        mapping::alpaca as table,
    },
};
use rust_decimal::Decimal;
use serde_json::Value;

use super::wire;

fn last4(number: &str) -> &str {
    let cut = number.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &number[cut..]
}

fn currency(code: Option<&str>) -> Currency {
    code.and_then(Currency::parse_code).unwrap_or(Currency::Usd)
}

/// `GET /v2/account`: balance = equity, available = buying_power else cash.
pub fn account(raw: Value) -> Result<ProviderAccount, ProviderError> {
    let a: wire::Account = serde_json::from_value(raw.clone())
        .map_err(|_| ProviderError::InvalidResponse("alpaca account: unexpected shape".into()))?;
    let masked = format!("****{}", last4(&a.account_number));
    // Paper account numbers start with PA.
    let kind = if a.account_number.starts_with("PA") {
        "Paper"
    } else {
        "Live"
    };
    Ok(ProviderAccount {
        name: format!("Alpaca {kind} {masked}"),
        provider_account_id: a.account_number,
        account_number_masked: Some(masked),
        account_type: AccountType::Brokerage,
        currency: currency(a.currency.as_deref()),
        balance: a
            .equity
            .or(a.cash)
            .ok_or_else(|| ProviderError::InvalidResponse("alpaca account: no equity".into()))?,
        available_balance: a.buying_power.or(a.cash),
        is_active: a.status.as_deref() == Some("ACTIVE"),
        metadata: raw,
    })
}

/// An element of `GET /v2/positions`. A short position's quantity is negative whatever
/// sign `qty` carries; values are taken as Alpaca reports them.
pub fn holding(raw: Value) -> Result<Option<ProviderHolding>, ProviderError> {
    let p: wire::Position = serde_json::from_value(raw.clone())
        .map_err(|_| ProviderError::InvalidResponse("alpaca position: unexpected shape".into()))?;
    if p.qty.is_zero() {
        return Ok(None);
    }
    let quantity = if p.side.as_deref() == Some("short") {
        -p.qty.abs()
    } else {
        p.qty
    };
    Ok(Some(ProviderHolding {
        provider_holding_id: p
            .asset_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| format!("alpaca_{}", p.symbol)),
        security_name: p.symbol.clone(),
        asset_type: table::asset_class(&p.asset_class),
        quantity,
        cost_basis: p.cost_basis.unwrap_or_default(),
        market_value: p.market_value.unwrap_or_default(),
        currency: Currency::Usd,
        average_price: p.avg_entry_price,
        current_price: p.current_price,
        symbol: p.symbol,
        metadata: raw,
    }))
}

/// A FILL carries no asset class: a `BASE/QUOTE` pair is crypto, an OCC symbol (root,
/// YYMMDD, C/P, 8-digit strike) an option, anything else an equity.
fn fill_asset(symbol: &str) -> AssetType {
    let b = symbol.as_bytes();
    let occ = b.len() >= 16 && {
        let tail = &b[b.len() - 15..];
        tail[..6].iter().all(u8::is_ascii_digit)
            && matches!(tail[6], b'C' | b'P')
            && tail[7..].iter().all(u8::is_ascii_digit)
    };
    if symbol.contains('/') {
        AssetType::Cryptocurrency
    } else if occ {
        AssetType::Option
    } else {
        AssetType::Equity
    }
}

fn day(text: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.date_naive())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok())
}

/// An activity. A FILL's amount is qty × price, negative when it buys (it has no
/// `net_amount`); other activities carry `net_amount`.
pub fn transaction(raw: Value) -> Result<ProviderTransaction, ProviderError> {
    let a: wire::Activity = serde_json::from_value(raw.clone())
        .map_err(|_| ProviderError::InvalidResponse("alpaca activity: unexpected shape".into()))?;
    let fill = a.activity_type == "FILL";
    let date = [&a.transaction_time, &a.date, &a.created_at]
        .into_iter()
        .flatten()
        .find_map(|s| day(s))
        .ok_or_else(|| ProviderError::InvalidResponse("alpaca activity: no date".into()))?;
    let (transaction_type, subtype) =
        table::activity_kind(&a.activity_type, a.side.as_deref(), a.net_amount);
    let (amount, quantity, unit_price, description, asset_type) = if fill {
        let (qty, price) = match (a.qty, a.price) {
            (Some(q), Some(p)) => (q.abs(), p),
            _ => {
                return Err(ProviderError::InvalidResponse(
                    "alpaca fill: no qty or price".into(),
                ));
            }
        };
        let side = a.side.as_deref().unwrap_or("");
        let gross = qty * price;
        let amount = if table::fill_pays(side) {
            -gross
        } else {
            gross
        };
        let symbol = a.symbol.as_deref().unwrap_or("");
        let description = format!("{} {qty} {symbol} @ ${price}", side.to_ascii_uppercase());
        (
            amount,
            Some(qty),
            Some(price),
            description,
            Some(fill_asset(symbol)),
        )
    } else {
        let description = a
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| a.activity_type.clone());
        let asset = a
            .symbol
            .as_deref()
            .filter(|_| transaction_type != TransactionType::Transfer)
            .map(fill_asset);
        (
            a.net_amount.unwrap_or_default(),
            None,
            None,
            description,
            asset,
        )
    };
    Ok(ProviderTransaction {
        provider_transaction_id: a.id,
        transaction_type,
        subtype,
        status: table::activity_status(if fill { None } else { a.status.as_deref() }),
        amount,
        currency: Currency::Usd,
        description,
        asset_type,
        security_name: a.symbol.clone(),
        symbol: a.symbol,
        quantity,
        unit_price,
        // Alpaca bills fees as their own activities (FEE, CFEE, PTC), never on the fill.
        commission: fill.then_some(Decimal::ZERO),
        transaction_date: date,
        settlement_date: None,
        metadata: raw,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use dashtam_domain::portfolio::{TransactionStatus, TransactionSubtype};
    use serde_json::json;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accounts() {
        let raw = json!({"account_number":"PA3CRCJ7QUIR","status":"ACTIVE","currency":"USD",
            "buying_power":"262113.632","cash":"-23140.2","equity":"103820.56"});
        let a = account(raw).unwrap();
        assert_eq!(a.name, "Alpaca Paper ****QUIR");
        assert_eq!(a.balance, d("103820.56"));
        assert_eq!(a.available_balance, Some(d("262113.632")));
        assert!(a.is_active);
        let raw = json!({"account_number":"010203ABCD","status":"ACCOUNT_CLOSED","cash":"5","equity":"5"});
        let a = account(raw).unwrap();
        assert_eq!(a.name, "Alpaca Live ****ABCD");
        assert_eq!(a.available_balance, Some(d("5")));
        assert!(!a.is_active);
    }

    #[test]
    fn positions() {
        let long = json!({"asset_id":"904837e3","symbol":"AAPL","asset_class":"us_equity","avg_entry_price":"100.0",
            "qty":"5","side":"long","market_value":"600.0","cost_basis":"500.0","current_price":"120.0"});
        let h = holding(long).unwrap().unwrap();
        assert_eq!(
            (h.provider_holding_id.as_str(), h.quantity),
            ("904837e3", d("5"))
        );
        assert_eq!((h.cost_basis, h.market_value), (d("500"), d("600")));
        assert_eq!(h.current_price, Some(d("120")));
        for qty in ["-3", "3"] {
            let short = json!({"symbol":"TSLA","asset_class":"us_equity","qty":qty,"side":"short","market_value":"-600"});
            let h = holding(short).unwrap().unwrap();
            assert_eq!(h.quantity, d("-3"));
            assert_eq!(h.provider_holding_id, "alpaca_TSLA");
        }
        let opt = json!({"symbol":"AAPL240517P00190000","asset_class":"us_option","qty":"1","side":"long"});
        assert_eq!(holding(opt).unwrap().unwrap().asset_type, AssetType::Option);
        let btc = json!({"symbol":"BTCUSD","asset_class":"crypto","qty":"0.5","side":"long"});
        assert_eq!(
            holding(btc).unwrap().unwrap().asset_type,
            AssetType::Cryptocurrency
        );
    }

    #[test]
    fn fills_are_signed_by_side() {
        let buy = json!({"activity_type":"FILL","id":"20220304095318500::092cd749","transaction_time":"2022-03-04T14:53:18.500245Z",
            "type":"fill","price":"2630.95","qty":"9","side":"buy","symbol":"GOOGL","order_status":"filled"});
        let t = transaction(buy).unwrap();
        assert_eq!(t.amount, d("-23678.55"));
        assert_eq!(
            (t.transaction_type, t.subtype),
            (TransactionType::Trade, TransactionSubtype::Buy)
        );
        assert_eq!(t.description, "BUY 9 GOOGL @ $2630.95");
        assert_eq!(t.transaction_date.to_string(), "2022-03-04");
        assert_eq!(t.asset_type, Some(AssetType::Equity));
        assert_eq!(t.commission, Some(Decimal::ZERO));
        let short = json!({"activity_type":"FILL","id":"2","transaction_time":"2022-03-04T14:53:18Z",
            "price":"10","qty":"2","side":"sell_short","symbol":"AAPL240517P00190000"});
        let t = transaction(short).unwrap();
        assert_eq!(
            (t.amount, t.subtype),
            (d("20"), TransactionSubtype::ShortSell)
        );
        assert_eq!(t.asset_type, Some(AssetType::Option));
        let crypto = json!({"activity_type":"FILL","id":"3","transaction_time":"2022-03-04T14:53:18Z",
            "price":"60000","qty":"0.01","side":"sell","symbol":"BTC/USD"});
        let t = transaction(crypto).unwrap();
        assert_eq!(
            (t.amount, t.asset_type),
            (d("600"), Some(AssetType::Cryptocurrency))
        );
    }

    #[test]
    fn non_trade_activities() {
        let csd = json!({"activity_type":"CSD","id":"20220419000000000::fd84741b","date":"2022-04-19",
            "net_amount":"33324.35","description":"","status":"executed"});
        let t = transaction(csd).unwrap();
        assert_eq!(
            (t.transaction_type, t.subtype),
            (TransactionType::Transfer, TransactionSubtype::Deposit)
        );
        assert_eq!((t.amount, t.description.as_str()), (d("33324.35"), "CSD"));
        assert_eq!(t.status, TransactionStatus::Settled);
        assert_eq!((t.quantity, t.commission), (None, None));
        let div = json!({"activity_type":"DIV","id":"5","date":"2022-04-19","net_amount":"1.5",
            "symbol":"AAPL","qty":"10","per_share_amount":"0.15","status":"executed"});
        let t = transaction(div).unwrap();
        assert_eq!(t.subtype, TransactionSubtype::Dividend);
        assert_eq!(t.symbol.as_deref(), Some("AAPL"));
        let odd =
            json!({"activity_type":"NEWTHING","id":"6","date":"2022-04-19","status":"canceled"});
        let t = transaction(odd).unwrap();
        assert_eq!(
            (t.transaction_type, t.status),
            (TransactionType::Other, TransactionStatus::Cancelled)
        );
        assert_eq!(t.metadata["activity_type"], "NEWTHING");
        assert!(transaction(json!({"activity_type":"CSD","id":"7"})).is_err());
    }
}
