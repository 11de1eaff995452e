//! Schwab's wire elements → the domain's provider data (the tables are in
//! `dashtam_domain::providers::mapping::schwab`).

use dashtam_domain::{
    portfolio::{AssetType, Currency},
    providers::{
        ProviderAccount, ProviderError, ProviderHolding, ProviderTransaction,
        mapping::schwab::{self as table, TransactionFacts},
    },
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{time, wire};

fn last4(number: &str) -> &str {
    let cut = number.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &number[cut..]
}

/// An element of `/accounts`, named by its `/userPreference` nickname when it has one.
pub fn account(raw: Value, nickname: Option<&str>) -> Result<ProviderAccount, ProviderError> {
    let a: wire::Account = serde_json::from_value(raw.clone())
        .map_err(|_| ProviderError::InvalidResponse("schwab account: unexpected shape".into()))?;
    let sa = &a.securities_account;
    let current = sa.current_balances.as_ref();
    let aggregated = a.aggregated_balance.as_ref();
    let balance = current
        .and_then(|b| b.liquidation_value)
        .or_else(|| aggregated.and_then(|b| b.liquidation_value))
        .or_else(|| aggregated.and_then(|b| b.current_liquidation_value))
        .ok_or_else(|| {
            ProviderError::InvalidResponse("schwab account: no liquidationValue".into())
        })?;
    // MARGIN accounts report availableFunds, CASH ones cashAvailableForTrading; a real 0
    // stays 0 (the original turned it into "unknown").
    let available = |b: &wire::Balances| b.available_funds.or(b.cash_available_for_trading);
    let available_balance = current
        .and_then(available)
        .or_else(|| sa.projected_balances.as_ref().and_then(available));
    let masked = format!("****{}", last4(&sa.account_number));
    let name = nickname
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("Schwab {masked}"), str::to_owned);
    let mut metadata = raw;
    if let Some(n) = nickname {
        metadata["nickName"] = json!(n);
    }
    Ok(ProviderAccount {
        provider_account_id: sa.account_number.clone(),
        account_number_masked: Some(masked),
        name,
        account_type: table::account_type(&sa.kind),
        currency: Currency::Usd,
        balance,
        available_balance,
        is_active: true,
        metadata,
    })
}

/// Shares per contract: the instrument's multiplier, else 100 for an option, else 1.
fn multiplier(i: &wire::Instrument, asset: AssetType) -> Decimal {
    i.option_multiplier
        .or(i.option_premium_multiplier)
        .filter(|m| !m.is_zero())
        .unwrap_or(if asset == AssetType::Option {
            Decimal::ONE_HUNDRED
        } else {
            Decimal::ONE
        })
}

/// A position; `None` for a flat one or one without a symbol.
///
/// - quantity = longQuantity − shortQuantity (a short is negative);
/// - current_price = marketValue / (quantity × multiplier), per share like averagePrice
///   (never currentDayProfitLoss, D5);
/// - cost_basis = quantity × averagePrice × multiplier, signed like the position, so a
///   short's basis is the premium received (negative) and market − cost is its gain too.
pub fn holding(raw: Value) -> Result<Option<ProviderHolding>, ProviderError> {
    let p: wire::Position = serde_json::from_value(raw.clone())
        .map_err(|_| ProviderError::InvalidResponse("schwab position: unexpected shape".into()))?;
    let i = &p.instrument;
    let Some(symbol) = i.symbol.clone().filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let quantity = p.long_quantity.unwrap_or_default() - p.short_quantity.unwrap_or_default();
    if quantity.is_zero() {
        return Ok(None);
    }
    let asset_type = table::asset_type(&i.asset_type);
    let m = multiplier(i, asset_type);
    let average = p.average_price.or(if quantity.is_sign_negative() {
        p.average_short_price
    } else {
        p.average_long_price
    });
    let market_value = p.market_value.unwrap_or_default();
    let id = match i.cusip.as_deref().filter(|c| !c.is_empty()) {
        Some(cusip) => format!("schwab_{cusip}_{symbol}"),
        None => format!("schwab_{}_{symbol}", i.asset_type),
    };
    let security_name = i
        .description
        .clone()
        .or_else(|| i.underlying_symbol.clone())
        .unwrap_or_else(|| symbol.clone());
    Ok(Some(ProviderHolding {
        provider_holding_id: id,
        symbol,
        security_name,
        asset_type,
        quantity,
        cost_basis: average.map_or(Decimal::ZERO, |a| quantity * a * m),
        market_value,
        currency: Currency::Usd,
        average_price: average,
        current_price: p.market_value.and_then(|v| v.checked_div(quantity * m)),
        metadata: raw,
    }))
}

/// A transaction. The legs give symbol, quantity (the security leg's `amount`), price and
/// commission (the fee legs' sum); fee legs never count as the security leg (D3).
pub fn transaction(raw: Value) -> Result<ProviderTransaction, ProviderError> {
    let t: wire::Transaction = serde_json::from_value(raw.clone()).map_err(|_| {
        ProviderError::InvalidResponse("schwab transaction: unexpected shape".into())
    })?;
    let id = match &t.activity_id {
        Value::Number(n) => n.to_string(),
        Value::String(s) if !s.is_empty() => s.clone(),
        _ => {
            return Err(ProviderError::InvalidResponse(
                "schwab transaction: no activityId".into(),
            ));
        }
    };
    let date = [&t.trade_date, &t.time, &t.settlement_date]
        .into_iter()
        .flatten()
        .find_map(|s| time::date(s))
        .ok_or_else(|| ProviderError::InvalidResponse("schwab transaction: no date".into()))?;
    let fees: Vec<&wire::TransferItem> = t.transfer_items.iter().filter(|l| l.is_fee()).collect();
    let security = t
        .transfer_items
        .iter()
        .find(|l| !l.is_fee() && !l.is_cash() && l.instrument.symbol.is_some());
    let net_amount = t
        .net_amount
        .or_else(|| t.transfer_items.iter().map(|l| l.cost).sum())
        .ok_or_else(|| ProviderError::InvalidResponse("schwab transaction: no netAmount".into()))?;
    let trade = t.kind == "TRADE";
    let facts = TransactionFacts {
        kind: &t.kind,
        description: t.description.as_deref().unwrap_or(""),
        net_amount,
        leg_amount: security.filter(|_| trade).and_then(|l| l.amount),
        position_effect: security.and_then(|l| l.position_effect.as_deref()),
    };
    let (transaction_type, subtype) = table::transaction_kind(&facts);
    let commission: Decimal = fees
        .iter()
        .map(|l| l.amount.or(l.cost).unwrap_or_default().abs())
        .sum();
    let symbol = security.and_then(|l| l.instrument.symbol.clone());
    let description = t
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| match &symbol {
            Some(s) => format!("{} {s}", t.kind),
            None => t.kind.clone(),
        });
    Ok(ProviderTransaction {
        provider_transaction_id: id,
        transaction_type,
        subtype,
        status: table::transaction_status(t.status.as_deref().unwrap_or("")),
        amount: net_amount,
        currency: Currency::Usd,
        description,
        asset_type: security.map(|l| table::asset_type(&l.instrument.asset_type)),
        security_name: security.and_then(|l| {
            l.instrument
                .description
                .clone()
                .or_else(|| l.instrument.underlying_symbol.clone())
        }),
        symbol,
        // A trade's quantity is unsigned: the subtype says which way it went.
        quantity: security
            .filter(|_| trade)
            .and_then(|l| l.amount)
            .map(|q| q.abs()),
        unit_price: security.filter(|_| trade).and_then(|l| l.price),
        commission: (trade || !fees.is_empty()).then_some(commission),
        transaction_date: date,
        settlement_date: t.settlement_date.as_deref().and_then(time::date),
        metadata: raw,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use dashtam_domain::portfolio::{
        AccountType, TransactionStatus, TransactionSubtype, TransactionType,
    };

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_real_margin_sample_maps() {
        let raw = json!({"securitiesAccount":{"type":"MARGIN","accountNumber":"12345678",
            "currentBalances":{"liquidationValue":4045.83,"availableFunds":0,"cashBalance":3540.83}},
            "aggregatedBalance":{"currentLiquidationValue":4045.83,"liquidationValue":4045.83}});
        let a = account(raw.clone(), Some("Roth IRA")).unwrap();
        assert_eq!(a.provider_account_id, "12345678");
        assert_eq!(a.account_number_masked.as_deref(), Some("****5678"));
        assert_eq!(a.name, "Roth IRA");
        assert_eq!(a.account_type, AccountType::Brokerage);
        assert_eq!(a.balance, d("4045.83"));
        assert_eq!(a.available_balance, Some(Decimal::ZERO));
        let a = account(raw, None).unwrap();
        assert_eq!(a.name, "Schwab ****5678");
    }

    #[test]
    fn a_cash_account_falls_back_to_the_aggregate() {
        let raw = json!({"securitiesAccount":{"type":"CASH","accountNumber":"99",
            "currentBalances":{"cashAvailableForTrading":12.5}},
            "aggregatedBalance":{"liquidationValue":100.01}});
        let a = account(raw, Some("  ")).unwrap();
        assert_eq!(a.balance, d("100.01"));
        assert_eq!(a.available_balance, Some(d("12.5")));
        assert_eq!(a.name, "Schwab ****99");
        let raw = json!({"securitiesAccount":{"type":"CASH","accountNumber":"99"}});
        assert!(matches!(
            account(raw, None),
            Err(ProviderError::InvalidResponse(_))
        ));
    }

    #[test]
    fn the_real_option_position_maps() {
        let raw = json!({"shortQuantity":0,"averagePrice":5.25,"currentDayProfitLoss":-20,"longQuantity":1,
            "instrument":{"assetType":"OPTION","cusip":"0AMAT.KF40210000","symbol":"AMAT  241115C00210000",
                          "description":"APPLIED MATLS INC 11/15/2024 $210 Call","putCall":"CALL","underlyingSymbol":"AMAT"},
            "marketValue":505,"currentDayCost":525});
        let h = holding(raw).unwrap().unwrap();
        assert_eq!(
            h.provider_holding_id,
            "schwab_0AMAT.KF40210000_AMAT  241115C00210000"
        );
        assert_eq!(h.asset_type, AssetType::Option);
        assert_eq!(h.quantity, d("1"));
        assert_eq!(h.cost_basis, d("525"));
        assert_eq!(h.market_value, d("505"));
        assert_eq!(h.current_price, Some(d("5.05")));
        assert_eq!(h.average_price, Some(d("5.25")));
    }

    #[test]
    fn shorts_are_negative_and_etfs_are_etfs() {
        let short = json!({"shortQuantity":1,"longQuantity":0,"averagePrice":10.2,"marketValue":-850,
            "instrument":{"assetType":"OPTION","symbol":"TSLA  250117P00200000"}});
        let h = holding(short).unwrap().unwrap();
        assert_eq!(h.quantity, d("-1"));
        assert_eq!(h.cost_basis, d("-1020"));
        assert_eq!(h.current_price, Some(d("8.5")));
        assert_eq!(h.provider_holding_id, "schwab_OPTION_TSLA  250117P00200000");
        assert_eq!(h.security_name, "TSLA  250117P00200000");
        let etf = json!({"shortQuantity":0,"longQuantity":40,"averagePrice":210.55,"marketValue":9000,
            "instrument":{"assetType":"COLLECTIVE_INVESTMENT","cusip":"922908769","symbol":"VTI","description":"VANGUARD TOTAL STOCK MARKET ETF"}});
        let h = holding(etf).unwrap().unwrap();
        assert_eq!(h.asset_type, AssetType::Etf);
        assert_eq!(h.cost_basis, d("8422.00"));
        assert_eq!(h.current_price, Some(d("225")));
        let flat = json!({"shortQuantity":0,"longQuantity":0,"marketValue":0,"instrument":{"assetType":"EQUITY","symbol":"X"}});
        assert_eq!(holding(flat).unwrap(), None);
        let odd = json!({"longQuantity":1,"marketValue":1,"instrument":{"assetType":"INDEX","symbol":"$SPX"}});
        assert_eq!(holding(odd).unwrap().unwrap().asset_type, AssetType::Other);
    }

    #[test]
    fn a_trade_with_fee_legs() {
        let raw = json!({"activityId":80990733204u64,"time":"2024-03-28T21:10:42+0000","type":"TRADE",
            "status":"VALID","tradeDate":"2024-03-28T21:10:42+0000","settlementDate":"2024-03-29T05:00:00+0000",
            "netAmount":-81.66,"description":"Buy to Open",
            "transferItems":[
              {"instrument":{"assetType":"CURRENCY","symbol":"CURRENCY_USD"},"amount":0.65,"cost":-0.65,"feeType":"COMMISSION"},
              {"instrument":{"assetType":"CURRENCY","symbol":"CURRENCY_USD"},"amount":0.01,"cost":-0.01,"feeType":"OPT_REG_FEE"},
              {"instrument":{"assetType":"OPTION","symbol":"AAPL  240517P00190000","description":"AAPL PUT"},
               "amount":1,"cost":-81,"price":0.81,"positionEffect":"OPENING"}]});
        let t = transaction(raw).unwrap();
        assert_eq!(t.provider_transaction_id, "80990733204");
        assert_eq!(
            (t.transaction_type, t.subtype),
            (TransactionType::Trade, TransactionSubtype::Buy)
        );
        assert_eq!(t.status, TransactionStatus::Settled);
        assert_eq!(t.amount, d("-81.66"));
        assert_eq!(t.commission, Some(d("0.66")));
        assert_eq!(t.quantity, Some(d("1")));
        assert_eq!(t.unit_price, Some(d("0.81")));
        assert_eq!(t.symbol.as_deref(), Some("AAPL  240517P00190000"));
        assert_eq!(t.asset_type, Some(AssetType::Option));
        assert_eq!(t.transaction_date.to_string(), "2024-03-28");
        assert_eq!(
            t.settlement_date.map(|d| d.to_string()).as_deref(),
            Some("2024-03-29")
        );
    }

    #[test]
    fn a_short_sale_a_dividend_and_interest() {
        let short = json!({"activityId":1,"time":"2024-03-28T21:10:42+00:00","type":"TRADE","status":"VALID",
            "netAmount":1019.33,"transferItems":[
              {"instrument":{"assetType":"CURRENCY","symbol":"CURRENCY_USD"},"amount":0.65,"cost":-0.65,"feeType":"COMMISSION"},
              {"instrument":{"assetType":"OPTION","symbol":"TSLA  250117P00200000"},"amount":-1,"cost":1020,"price":10.2,"positionEffect":"OPENING"}]});
        let t = transaction(short).unwrap();
        assert_eq!(t.subtype, TransactionSubtype::ShortSell);
        assert_eq!(t.quantity, Some(d("1")));
        assert_eq!(t.description, "TRADE TSLA  250117P00200000");
        let div = json!({"activityId":"2","time":"2024-03-28T21:10:42+0000","type":"DIVIDEND_OR_INTEREST",
            "status":"PENDING","description":"QUALIFIED DIVIDEND","netAmount":12.34,"transferItems":[
              {"instrument":{"assetType":"EQUITY","symbol":"JNJ"},"amount":12.34,"cost":12.34}]});
        let t = transaction(div).unwrap();
        assert_eq!(
            (t.transaction_type, t.subtype),
            (TransactionType::Income, TransactionSubtype::Dividend)
        );
        assert_eq!(t.symbol.as_deref(), Some("JNJ"));
        assert_eq!((t.quantity, t.commission), (None, None));
        assert_eq!(t.status, TransactionStatus::Pending);
        let int = json!({"activityId":3,"time":"2024-03-28T21:10:42+0000","type":"DIVIDEND_OR_INTEREST",
            "status":"INVALID","description":"BANK INT SCHWAB BANK","netAmount":0.42,"transferItems":[
              {"instrument":{"assetType":"CURRENCY","symbol":"CURRENCY_USD"},"amount":0.42,"cost":0.42}]});
        let t = transaction(int).unwrap();
        assert_eq!(t.subtype, TransactionSubtype::Interest);
        assert_eq!(t.symbol, None);
        assert_eq!(t.status, TransactionStatus::Cancelled);
        let weird = json!({"activityId":4,"time":"2024-03-28T21:10:42+0000","type":"SOMETHING_NEW","netAmount":1});
        let t = transaction(weird).unwrap();
        assert_eq!(
            (t.transaction_type, t.subtype),
            (TransactionType::Other, TransactionSubtype::Unknown)
        );
        assert_eq!(t.metadata["type"], "SOMETHING_NEW");
        let undated = json!({"activityId":5,"type":"TRADE","netAmount":1});
        assert!(transaction(undated).is_err());
    }
}
