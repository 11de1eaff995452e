use std::collections::BTreeSet;

use dashtam_sandbox::Profile;
use serde_json::Value;

use crate::common::{cents, clock, json, sandbox, tokens, trader};

const ALL_TYPES: &str = "TRADE,DIVIDEND_OR_INTEREST,ACH_RECEIPT,ACH_DISBURSEMENT,JOURNAL,WIRE_OUT";

async fn hashes(sb: &dashtam_sandbox::Sandbox, token: &str) -> Vec<(String, String)> {
    let (status, _, body) = trader(sb, token, "/accounts/accountNumbers").await;
    assert_eq!(status, 200);
    json(&body)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["accountNumber"].as_str().unwrap().into(),
                a["hashValue"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn window(hash: &str, start: &str, end: &str, types: &str) -> String {
    format!("/accounts/{hash}/transactions?startDate={start}&endDate={end}&types={types}")
}

#[tokio::test]
async fn the_investor_has_a_margin_and_a_roth_account_with_real_shapes() {
    let sb = sandbox(&clock()).await;
    let (token, _) = tokens(&sb, Profile::Investor).await;
    let ids = hashes(&sb, &token).await;
    assert_eq!(ids.len(), 2);
    let (status, _, body) = trader(&sb, &token, "/accounts?fields=positions").await;
    assert_eq!(status, 200);
    let accounts = json(&body);
    let margin = &accounts[0]["securitiesAccount"];
    assert_eq!(margin["type"], "MARGIN");
    assert_eq!(accounts[1]["securitiesAccount"]["type"], "CASH");
    let positions = margin["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 10);
    let types: BTreeSet<&str> = positions
        .iter()
        .map(|p| p["instrument"]["assetType"].as_str().unwrap())
        .collect();
    for t in [
        "EQUITY",
        "COLLECTIVE_INVESTMENT",
        "OPTION",
        "MUTUAL_FUND",
        "CASH_EQUIVALENT",
    ] {
        assert!(types.contains(t), "{t}");
    }
    assert!(
        positions
            .iter()
            .any(|p| p["shortQuantity"].as_f64().unwrap() > 0.0)
    );
    let liquidation = &margin["currentBalances"]["liquidationValue"];
    assert_eq!(
        liquidation,
        &accounts[0]["aggregatedBalance"]["liquidationValue"]
    );
    let sum: i64 = positions
        .iter()
        .map(|p| cents(&p["marketValue"]))
        .sum::<i64>()
        + cents(&margin["currentBalances"]["cashBalance"]);
    assert_eq!(sum, cents(liquidation));

    let (_, _, plain) = trader(&sb, &token, "/accounts").await;
    assert!(
        json(&plain)[0]["securitiesAccount"]
            .get("positions")
            .is_none()
    );
    let (status, _, one) = trader(
        &sb,
        &token,
        &format!("/accounts/{}?fields=positions", ids[1].1),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        json(&one)["securitiesAccount"]["accountNumber"]
            .as_str()
            .unwrap(),
        ids[1].0
    );

    let (_, _, prefs) = trader(&sb, &token, "/userPreference").await;
    let prefs = json(&prefs);
    let roth = prefs["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["accountNumber"] == ids[1].0.as_str())
        .unwrap();
    assert_eq!(roth["nickName"], "Roth IRA");
}

#[tokio::test]
async fn paths_take_the_hash_and_never_the_plain_number() {
    let sb = sandbox(&clock()).await;
    let (token, _) = tokens(&sb, Profile::Investor).await;
    let (number, _) = hashes(&sb, &token).await.remove(0);
    for path in [
        format!("/accounts/{number}"),
        window(
            &number,
            "2026-11-01T00:00:00.000Z",
            "2026-11-30T00:00:00.000Z",
            "TRADE",
        ),
    ] {
        let (status, _, body) = trader(&sb, &token, &path).await;
        assert_eq!(status, 400, "{path}");
        let body = json(&body);
        assert_eq!(body["message"], "Invalid account number");
        assert!(body["errors"].is_array());
    }
}

#[tokio::test]
async fn transaction_queries_follow_schwabs_rules() {
    let sb = sandbox(&clock()).await;
    let (token, _) = tokens(&sb, Profile::Investor).await;
    let hash = hashes(&sb, &token).await.remove(0).1;
    let ok = ("2026-09-01T00:00:00.000Z", "2026-12-01T15:00:00.000Z");
    for (path, why) in [
        (
            window(&hash, "2026-09-01", ok.1, "TRADE"),
            "date-only start",
        ),
        (window(&hash, ok.0, "2026-12-01", "TRADE"), "date-only end"),
        (
            format!(
                "/accounts/{hash}/transactions?startDate={}&endDate={}",
                ok.0, ok.1
            ),
            "no types",
        ),
        (
            format!("/accounts/{hash}/transactions?endDate={}&types=TRADE", ok.1),
            "no start",
        ),
        (window(&hash, ok.0, ok.1, "TRADE,BUY"), "unknown type"),
        (window(&hash, ok.1, ok.0, "TRADE"), "end before start"),
        (
            window(&hash, "2025-09-01T00:00:00Z", ok.1, "TRADE"),
            "over a year",
        ),
    ] {
        let (status, _, body) = trader(&sb, &token, &path).await;
        assert_eq!(status, 400, "{why}");
        let body = json(&body);
        assert!(
            body["message"].is_string() && body["errors"][0].is_string(),
            "{why}: {body}"
        );
    }
    for start in [
        "2026-09-01T00:00:00Z",
        "2026-09-01T00:00:00%2B0000",
        "2026-08-31T20:00:00.000-04:00",
    ] {
        assert_eq!(
            trader(&sb, &token, &window(&hash, start, ok.1, "TRADE"))
                .await
                .0,
            200,
            "{start}"
        );
    }
}

#[tokio::test]
async fn the_investor_history_has_every_kind_in_the_real_shape() {
    let sb = sandbox(&clock()).await;
    let (token, _) = tokens(&sb, Profile::Investor).await;
    let mut rows: Vec<Value> = Vec::new();
    for (_, hash) in hashes(&sb, &token).await {
        let path = window(
            &hash,
            "2026-08-01T00:00:00.000Z",
            "2026-12-01T15:00:00.000Z",
            ALL_TYPES,
        );
        let (status, _, body) = trader(&sb, &token, &path).await;
        assert_eq!(status, 200);
        rows.extend(json(&body).as_array().unwrap().iter().cloned());
    }
    assert!((60..=120).contains(&rows.len()), "{} rows", rows.len());
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let descriptions: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["type"] == "DIVIDEND_OR_INTEREST")
        .map(|r| r["description"].as_str().unwrap())
        .collect();
    assert!(
        descriptions.iter().any(|d| d.contains("DIVIDEND"))
            && descriptions.iter().any(|d| d.contains("INT"))
    );
    assert!(
        rows.iter()
            .any(|r| r["time"].as_str().unwrap() >= "2026-11-24"),
        "activity in the last week"
    );
    for r in &rows {
        let time = r["time"].as_str().unwrap();
        assert!(time.len() == 24 && time.ends_with("+0000"), "{time}");
        assert!(r["activityId"].is_i64());
        let legs = r["transferItems"].as_array().unwrap();
        let sum: i64 = legs.iter().map(|l| cents(&l["cost"])).sum();
        assert_eq!(sum, cents(&r["netAmount"]), "{r}");
    }
    let fee_trade = rows
        .iter()
        .find(|r| r["transferItems"].as_array().unwrap().len() > 1)
        .unwrap();
    let legs = fee_trade["transferItems"].as_array().unwrap();
    assert_eq!(legs[0]["instrument"]["symbol"], "CURRENCY_USD");
    assert!(legs[0]["feeType"].is_string());
    assert!(legs.last().unwrap()["price"].is_number());
    assert!(rows.iter().any(|r| {
        r["transferItems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["amount"].as_f64().unwrap() < 0.0 && l["positionEffect"] == "CLOSING")
    }));
}

#[tokio::test]
async fn bulk_caps_a_response_at_3000_rows_and_answers_the_same_bytes_twice() {
    let sb = sandbox(&clock()).await;
    let (token, _) = tokens(&sb, Profile::Bulk).await;
    let hash = hashes(&sb, &token).await.remove(0).1;
    let year = window(
        &hash,
        "2025-12-01T15:00:00.000Z",
        "2026-12-01T15:00:00.000Z",
        ALL_TYPES,
    );
    let (status, _, first) = trader(&sb, &token, &year).await;
    assert_eq!(status, 200);
    let rows = json(&first);
    assert_eq!(rows.as_array().unwrap().len(), 3000);
    assert!(
        rows[0]["time"].as_str().unwrap() > rows[2999]["time"].as_str().unwrap(),
        "newest first"
    );
    assert_eq!(trader(&sb, &token, &year).await.2, first, "deterministic");
    let short = window(
        &hash,
        "2026-10-01T00:00:00.000Z",
        "2026-12-01T15:00:00.000Z",
        ALL_TYPES,
    );
    let n = json(&trader(&sb, &token, &short).await.2)
        .as_array()
        .unwrap()
        .len();
    assert!(n > 1000 && n < 3000, "{n}");
}
