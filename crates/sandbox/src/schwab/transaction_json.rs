//! A seeded transaction in Schwab's wire shape (providers.md 1.5).

use serde_json::{Value, json};

use super::{
    dates,
    securities::usd_json,
    transactions::{Body, Txn},
};

pub(crate) fn json(t: &Txn, account_number: &str) -> Value {
    let costs = t.costs();
    let items: Vec<Value> = match &t.body {
        Body::Trade {
            sec,
            quantity,
            price,
            fees,
            effect,
        } => {
            let mut legs: Vec<Value> = fees
                .iter()
                .map(|(fee_type, fee)| {
                    json!({"instrument": usd_json(), "amount": fee.num(), "cost": (-*fee).num(),
                           "feeType": fee_type})
                })
                .collect();
            let cost = costs.last().copied().unwrap_or_default();
            legs.push(json!({
                "instrument": sec.transfer_json(),
                "amount": quantity.num(),
                "cost": cost.num(),
                "price": price.num(),
                "positionEffect": effect,
            }));
            legs
        }
        Body::Income {
            sec: Some(sec),
            amount,
        } => vec![
            json!({"instrument": sec.transfer_json(), "amount": amount.num(),
                         "cost": amount.num()}),
        ],
        Body::Income { sec: None, amount } | Body::Cash { amount } => {
            vec![json!({"instrument": usd_json(), "amount": amount.num(), "cost": amount.num()})]
        }
    };
    let trade = matches!(t.body, Body::Trade { .. });
    let time = dates::wire(t.time);
    let settle = dates::settlement(t.time.date_naive());
    let settle =
        dates::wire(settle.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::Duration::hours(5));
    let mut v = json!({
        "activityId": t.id,
        "time": time,
        "description": t.description,
        "accountNumber": account_number,
        "type": t.kind,
        "status": "VALID",
        "subAccount": "CASH",
        "tradeDate": time,
        "settlementDate": settle,
        "netAmount": t.net_amount().num(),
        "activityType": if trade { "EXECUTION" } else { "TRANSFER" },
        "transferItems": items,
    });
    if trade {
        v["positionId"] = json!(2_000_000_000 + t.id % 1_000_000_000);
        v["orderId"] = json!(1_000_000_000_000 + t.id);
    }
    v
}
