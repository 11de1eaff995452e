//! The financial half end to end: register, connect Schwab through the sandbox's consent
//! form, land on the callback page, sync accounts, transactions and holdings, read them
//! back with their aggregates and snapshots while the live stream reports the syncs,
//! disconnect; and Alpaca with good and bad keys.

use std::time::{Duration, Instant};

use reqwest::{Method, redirect::Policy};
use serde_json::{Value, json};

use crate::support::*;

/// The form on the sandbox's consent page: its action and its fields, as a browser
/// would submit it (the select keeps its first option, `investor`).
pub(crate) fn consent_form(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
        Some(tag[at..].split('"').next()?.replace("&amp;", "&"))
    };
    let form_at = html.find("<form").expect("a form");
    let form_tag = &html[form_at..html[form_at..].find('>').unwrap() + form_at];
    assert_eq!(
        attr(form_tag, "method")
            .as_deref()
            .map(str::to_lowercase)
            .as_deref(),
        Some("post")
    );
    let action = attr(form_tag, "action").expect("an action");
    let mut fields = Vec::new();
    for chunk in html[form_at..].split('<').skip(1) {
        if chunk.starts_with("input") {
            if let (Some(name), Some(value)) = (attr(chunk, "name"), attr(chunk, "value")) {
                fields.push((name, value));
            }
        } else if chunk.starts_with("select") {
            let name = attr(chunk, "name").expect("a select name");
            fields.push((name, String::new()));
        } else if chunk.starts_with("option") && fields.last().is_some_and(|(_, v)| v.is_empty()) {
            let value = attr(chunk, "value").expect("an option value");
            fields.last_mut().unwrap().1 = value;
        }
    }
    (action, fields)
}

pub(crate) fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        let origin: String = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        format!("{origin}{location}")
    }
}

#[tokio::test]
async fn connect_schwab_sync_read_follow_live_and_disconnect() {
    let sandbox_port = free_port();
    let s = start_with(
        &[
            ("DASHTAM_RATE_LIMITS", "off"),
            ("DASHTAM_SANDBOX_PORT", &sandbox_port.to_string()),
        ],
        &[],
    )
    .await;
    s.signup("ada@example.com").await;
    let pair = s.login("ada@example.com", PASSWORD).await;
    let bearer = pair["access_token"].as_str().unwrap().to_owned();
    let call = |method: Method, path: String, body: Option<Value>| {
        let bearer = bearer.clone();
        let s = &s;
        async move { s.call(method, &path, Some(&bearer), body).await }
    };

    // Follow the live stream while the rest happens.
    let mut stream = s
        .http
        .get(format!(
            "{}/api/v1/events?categories=data_sync,portfolio,provider",
            s.base
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    let (status, started) = call(
        Method::POST,
        "/api/v1/providers".into(),
        Some(json!({"provider_slug": "schwab", "alias": "Ada's Schwab",
                    "redirect_uri": format!("{}/oauth/schwab/callback", s.base)})),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["expires_in"], 600);
    let url = started["authorization_url"].as_str().unwrap();
    assert!(
        url.contains(&format!(
            "127.0.0.1:{sandbox_port}/_sandbox/schwab/v1/oauth/authorize"
        )),
        "{url}"
    );

    // The browser: the consent page, its form as it stands, the redirect, the callback page.
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (action, fields) = consent_form(&page.text().await.unwrap());
    let submitted = browser
        .post(absolute(url, &action))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(submitted.status().as_u16(), 302 | 303),
        "{}",
        submitted.status()
    );
    let location = submitted.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{}/oauth/schwab/callback?", s.base)),
        "{location}"
    );
    let landing = browser.get(&location).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    assert!(
        landing
            .text()
            .await
            .unwrap()
            .contains("Connection Successful")
    );
    let replay = browser.get(&location).send().await.unwrap();
    assert_eq!(replay.status(), 400, "a state is single use");

    let (_, list) = call(Method::GET, "/api/v1/providers".into(), None).await;
    assert_eq!(list["total_count"], 1, "{list}");
    let connection = list["connections"][0].clone();
    assert_eq!(connection["status"], "active");
    assert_eq!(connection["alias"], "Ada's Schwab");
    let id = connection["id"].as_str().unwrap().to_owned();

    let (status, synced) = call(
        Method::POST,
        "/api/v1/accounts/syncs".into(),
        Some(json!({"connection_id": id})),
    )
    .await;
    assert_eq!(
        (status, synced["accounts_created"].clone()),
        (201, json!(2)),
        "{synced}"
    );
    let (status, again) = call(
        Method::POST,
        "/api/v1/accounts/syncs".into(),
        Some(json!({"connection_id": id})),
    )
    .await;
    assert_eq!(status, 429, "{again}");
    let (status, forced) = call(
        Method::POST,
        "/api/v1/accounts/syncs".into(),
        Some(json!({"connection_id": id, "force": true})),
    )
    .await;
    assert_eq!(
        (status, forced["unchanged"].clone()),
        (201, json!(2)),
        "{forced}"
    );
    let (status, txns) = call(
        Method::POST,
        "/api/v1/transactions/syncs".into(),
        Some(json!({"connection_id": id})),
    )
    .await;
    assert_eq!(status, 201, "{txns}");
    assert!(txns["transactions_created"].as_u64().unwrap() > 0, "{txns}");
    let (_, repeat) = call(
        Method::POST,
        "/api/v1/transactions/syncs".into(),
        Some(json!({"connection_id": id})),
    )
    .await;
    assert_eq!(
        repeat["transactions_created"], 0,
        "a repeated sync creates nothing: {repeat}"
    );

    let (_, accounts) = call(Method::GET, "/api/v1/accounts".into(), None).await;
    assert_eq!(accounts["total_count"], 2, "{accounts}");
    let names: Vec<&str> = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Roth IRA"),
        "the nickname from /userPreference: {names:?}"
    );
    assert!(accounts["total_balance_by_currency"]["USD"].is_string());
    let margin = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|a| a["balance_amount"].as_str().unwrap().len())
        .unwrap()
        .clone();
    let account_id = margin["id"].as_str().unwrap().to_owned();
    assert_eq!(margin["account_type"], "brokerage");

    let (status, holdings_sync) = call(
        Method::POST,
        format!("/api/v1/accounts/{account_id}/holdings/syncs"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{holdings_sync}");
    let (_, holdings) = call(Method::GET, "/api/v1/holdings".into(), None).await;
    assert!(holdings["total_count"].as_u64().unwrap() > 0, "{holdings}");
    assert!(holdings["total_market_value_by_currency"]["USD"].is_string());

    let (_, page) = call(
        Method::GET,
        format!("/api/v1/accounts/{account_id}/transactions?limit=5"),
        None,
    )
    .await;
    assert_eq!(page["transactions"].as_array().unwrap().len(), 5, "{page}");
    if page["has_more"] == true {
        let cursor = page["next_cursor"].as_str().unwrap();
        let (status, next) = call(
            Method::GET,
            format!("/api/v1/accounts/{account_id}/transactions?limit=5&cursor={cursor}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{next}");
        assert_ne!(next["transactions"][0]["id"], page["transactions"][0]["id"]);
    }
    let (_, snapshots) = call(Method::GET, "/api/v1/balance-snapshots".into(), None).await;
    assert_eq!(snapshots["total_count"], 2, "{snapshots}");
    let today = chrono::Utc::now().date_naive();
    let (status, history) = call(
        Method::GET,
        format!(
            "/api/v1/accounts/{account_id}/balance-history?start_date={today}&end_date={today}"
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{history}");
    assert!(
        history["total_count"].as_u64().unwrap() >= 3,
        "initial, forced resync, holdings: {history}"
    );

    // The syncs reached the open stream.
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let wanted = [
        "sync.accounts.completed",
        "sync.transactions.completed",
        "sync.holdings.completed",
        "portfolio.balance.updated",
        "provider.connected",
    ];
    while !wanted.iter().all(|w| text.contains(&format!("event: {w}"))) {
        assert!(Instant::now() < deadline, "missing live events: {text}");
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    let (status, _) = call(Method::DELETE, format!("/api/v1/providers/{id}"), None).await;
    assert_eq!(status, 204);
    let (_, gone) = call(Method::GET, format!("/api/v1/providers/{id}"), None).await;
    assert_eq!(
        (gone["status"].clone(), gone["is_connected"].clone()),
        (json!("disconnected"), json!(false))
    );
    let (_, kept) = call(Method::GET, "/api/v1/accounts".into(), None).await;
    assert_eq!(
        (kept["total_count"].clone(), kept["active_count"].clone()),
        (json!(2), json!(0))
    );
    let (status, refused) = call(
        Method::POST,
        "/api/v1/accounts/syncs".into(),
        Some(json!({"connection_id": id, "force": true})),
    )
    .await;
    assert_eq!(status, 409, "{refused}");

    // Alpaca: keys checked with Alpaca before anything is stored.
    let (status, bad) = call(
        Method::POST,
        "/api/v1/providers".into(),
        Some(json!({"provider_slug": "alpaca", "api_key": "nope", "api_secret": "nope"})),
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    let (status, good) = call(Method::POST, "/api/v1/providers".into(), Some(json!({"provider_slug": "alpaca", "api_key": "sandbox-key", "api_secret": "sandbox-secret"}))).await;
    assert_eq!(
        (status, good["status"].clone()),
        (201, json!("active")),
        "{good}"
    );
    let (_, all) = call(Method::GET, "/api/v1/providers".into(), None).await;
    assert_eq!(
        all["total_count"], 2,
        "the refused keys stored nothing: {all}"
    );
}
