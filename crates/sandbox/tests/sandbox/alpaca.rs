use std::collections::BTreeSet;

use dashtam_sandbox::Sandbox;
use serde_json::Value;

use crate::common::{client, clock, sandbox};

async fn get(sb: &Sandbox, key: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", sb.alpaca_base()))
        .header("APCA-API-KEY-ID", key)
        .header("APCA-API-SECRET-KEY", "sandbox-secret")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn unknown_keys_get_alpacas_401() {
    let sb = sandbox(&clock()).await;
    for key in ["PKWRONG", ""] {
        let r = get(&sb, key, "/v2/account").await;
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()["content-type"],
            "application/json; charset=UTF-8"
        );
        assert!(r.headers().contains_key("x-ratelimit-limit"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": 40110000, "message": "request is not authorized"})
        );
    }
    let r = client()
        .get(format!("{}/v2/account", sb.alpaca_base()))
        .header("APCA-API-KEY-ID", "sandbox-key")
        .header("APCA-API-SECRET-KEY", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn account_and_positions_have_the_real_shapes() {
    let sb = sandbox(&clock()).await;
    let r = get(&sb, "sandbox-key", "/v2/account").await;
    assert_eq!(r.status(), 200);
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(r.headers().contains_key(h), "{h}");
    }
    let account: Value = r.json().await.unwrap();
    let number = account["account_number"].as_str().unwrap();
    assert!(number.starts_with("PA") && number.len() == 12, "{number}");
    for k in [
        "cash",
        "equity",
        "buying_power",
        "long_market_value",
        "short_market_value",
    ] {
        assert!(account[k].is_string(), "{k}");
    }
    let positions: Value = get(&sb, "sandbox-key", "/v2/positions")
        .await
        .json()
        .await
        .unwrap();
    let positions = positions.as_array().unwrap();
    let classes: BTreeSet<&str> = positions
        .iter()
        .map(|p| p["asset_class"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        BTreeSet::from(["crypto", "us_equity", "us_option"])
    );
    let short: Vec<&Value> = positions.iter().filter(|p| p["side"] == "short").collect();
    assert_eq!(short.len(), 1);
    assert!(short[0]["qty"].as_str().unwrap().starts_with('-'));
    let empty: Value = get(&sb, "sandbox-key-empty", "/v2/positions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty, serde_json::json!([]));
}

async fn all_pages(sb: &Sandbox, direction: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut token) = (Vec::new(), 0, String::new());
    loop {
        let mut path = format!("/v2/account/activities?direction={direction}");
        if !token.is_empty() {
            path.push_str(&format!("&page_token={token}"));
        }
        let page: Value = get(sb, "sandbox-key", &path).await.json().await.unwrap();
        let page = page.as_array().unwrap();
        pages += 1;
        ids.extend(page.iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        if page.len() < 100 {
            return (ids, pages);
        }
        token = ids.last().unwrap().clone();
    }
}

#[tokio::test]
async fn paging_gives_every_activity_exactly_once_in_both_directions() {
    let sb = sandbox(&clock()).await;
    let (desc, pages) = all_pages(&sb, "desc").await;
    assert!(desc.len() >= 150 && pages >= 2, "{} in {pages}", desc.len());
    assert_eq!(
        desc.iter().collect::<BTreeSet<_>>().len(),
        desc.len(),
        "no repeats"
    );
    assert!(desc.windows(2).all(|w| w[0] > w[1]), "newest first");
    let (mut asc, _) = all_pages(&sb, "asc").await;
    asc.reverse();
    assert_eq!(asc, desc);
    let first: Value = get(&sb, "sandbox-key", "/v2/account/activities")
        .await
        .json()
        .await
        .unwrap();
    let id = first[0]["id"].as_str().unwrap();
    assert!(
        id.len() > 20 && id.as_bytes()[17] == b':' && id.as_bytes()[18] == b':',
        "{id}"
    );
}

#[tokio::test]
async fn the_activity_mix_and_its_filters() {
    let sb = sandbox(&clock()).await;
    let mut kinds = BTreeSet::new();
    let mut sides = BTreeSet::new();
    let mut symbols = BTreeSet::new();
    for t in ["FILL", "CSD", "CSW", "DIV", "INT", "FEE"] {
        let rows: Value = get(
            &sb,
            "sandbox-key",
            &format!("/v2/account/activities/{t}?page_size=100"),
        )
        .await
        .json()
        .await
        .unwrap();
        for r in rows.as_array().unwrap() {
            kinds.insert(r["activity_type"].as_str().unwrap().to_owned());
            if t == "FILL" {
                assert!(r.get("net_amount").is_none());
                sides.insert(r["side"].as_str().unwrap().to_owned());
                symbols.insert(r["symbol"].as_str().unwrap().to_owned());
            } else {
                assert!(r["net_amount"].is_string());
            }
        }
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert_eq!(
        sides,
        BTreeSet::from(["buy".into(), "sell".into(), "sell_short".into()])
    );
    assert!(symbols.contains("BTC/USD") && symbols.contains("AAPL270115C00250000"));
    let r = get(
        &sb,
        "sandbox-key",
        "/v2/account/activities?activity_types=FILL,FFFFF",
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": 40010001, "message": "invalid activity type: FFFFF"})
    );
    let one_day: Value = get(
        &sb,
        "sandbox-key",
        "/v2/account/activities?activity_types=CSD,CSW&after=2026-11-01&until=2026-11-30",
    )
    .await
    .json()
    .await
    .unwrap();
    for r in one_day.as_array().unwrap() {
        let date = r["date"].as_str().unwrap();
        assert!(("2026-11-01"..="2026-11-30").contains(&date), "{date}");
    }
}

#[tokio::test]
async fn rate_limited_keys_get_429_with_an_http_date_retry_after() {
    let sb = sandbox(&clock()).await;
    let r = get(&sb, "sandbox-key-rate-limited", "/v2/account/activities").await;
    assert_eq!(r.status(), 429);
    let retry = r.headers()["retry-after"].to_str().unwrap().to_owned();
    // The HTTP-date form: the end of the current minute on the sandbox clock.
    assert_eq!(retry, "Tue, 01 Dec 2026 15:01:00 GMT");
    assert!(chrono::DateTime::parse_from_rfc2822(&retry).is_ok());
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 42910000);
    assert_eq!(
        get(&sb, "sandbox-key-unavailable", "/v2/account")
            .await
            .status(),
        500
    );
    assert_eq!(sb.counters().alpaca(), 2);
}

#[tokio::test]
async fn answers_are_deterministic() {
    let sb = sandbox(&clock()).await;
    for path in ["/v2/account", "/v2/positions", "/v2/account/activities"] {
        let a = get(&sb, "sandbox-key", path).await.text().await.unwrap();
        let b = get(&sb, "sandbox-key", path).await.text().await.unwrap();
        assert_eq!(a, b, "{path}");
    }
}
