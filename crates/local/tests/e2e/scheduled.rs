//! Data that stays fresh on its own, end to end: an Alpaca connection and a Schwab
//! consent whose grant the sandbox refuses (`revoked`); nobody asks for a sync — the
//! local timers run the dispatcher, the sync worker and token care. The live stream
//! reports the syncs and the refused token, the user is mailed a reconnect link, and the
//! net-worth series and summary read the scheduled snapshots.

use std::time::{Duration, Instant};

use reqwest::{Method, redirect::Policy};
use serde_json::{Value, json};

use crate::{
    finance::{absolute, consent_form},
    support::*,
};

#[tokio::test]
async fn the_timers_sync_care_for_tokens_and_the_net_worth_follows() {
    let sandbox_port = free_port();
    let s = start_with(
        &[
            ("DASHTAM_RATE_LIMITS", "off"),
            ("DASHTAM_SANDBOX_PORT", &sandbox_port.to_string()),
            ("DASHTAM_JOB_INTERVAL_SECS", "2"),
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
    let mut stream = s
        .http
        .get(format!(
            "{}/api/v1/events?categories=data_sync,provider",
            s.base
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    let (status, alpaca) = call(
        Method::POST,
        "/api/v1/providers".into(),
        Some(json!({"provider_slug": "alpaca", "api_key": "sandbox-key", "api_secret": "sandbox-secret"})),
    )
    .await;
    assert_eq!(status, 201, "{alpaca}");

    // Schwab, consenting with the profile whose grant the sandbox refuses.
    let (status, started) = call(
        Method::POST,
        "/api/v1/providers".into(),
        Some(json!({"provider_slug": "schwab",
                    "redirect_uri": format!("{}/oauth/schwab/callback", s.base)})),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let url = started["authorization_url"].as_str().unwrap();
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url).send().await.unwrap().text().await.unwrap();
    let (action, mut fields) = consent_form(&page);
    for (name, value) in &mut fields {
        if name == "profile" {
            *value = "revoked".into();
        }
    }
    let submitted = browser
        .post(absolute(url, &action))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let location = submitted.headers()["location"].to_str().unwrap().to_owned();
    let landing = browser.get(&location).send().await.unwrap();
    assert_eq!(landing.status(), 200);

    // Nobody syncs: the timers do.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut text = String::new();
    let wanted = [
        "sync.accounts.completed",
        "sync.transactions.completed",
        "sync.holdings.completed",
        "provider.token.failed",
    ];
    while !wanted.iter().all(|w| text.contains(&format!("event: {w}"))) {
        assert!(Instant::now() < deadline, "missing live events: {text}");
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(text.contains("\"needs_reauth\":true"), "{text}");

    let (_, connections) = call(Method::GET, "/api/v1/providers".into(), None).await;
    let statuses: Vec<(String, String)> = connections["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["provider_slug"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("alpaca".into(), "active".into())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("schwab".into(), "expired".into())),
        "{statuses:?}"
    );

    // The reconnect email.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mails = s.mails("ada@example.com").await;
        if mails.iter().any(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Reconnect")
        }) {
            break;
        }
        assert!(Instant::now() < deadline, "no reconnect email: {mails:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // The scheduled snapshots feed the net worth.
    let (_, snapshots) = call(Method::GET, "/api/v1/balance-snapshots".into(), None).await;
    assert!(
        snapshots["total_count"].as_u64().unwrap() >= 1,
        "{snapshots}"
    );
    assert!(
        snapshots["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["source"] == "scheduled_sync"),
        "{snapshots}"
    );
    let (status, series) = call(Method::GET, "/api/v1/portfolio/net-worth".into(), None).await;
    assert_eq!(status, 200, "{series}");
    let points = series["points"].as_array().unwrap();
    assert_eq!(points.len(), 31);
    assert_eq!(series["currency"], "USD");
    let today = points[30]["net_worth"].as_str().unwrap();
    assert!(!today.starts_with('-') && today != "0.0000", "{series}");
    assert_eq!(points[30]["accounts"].as_u64(), Some(1));
    let (status, summary) = call(Method::GET, "/api/v1/portfolio/summary".into(), None).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["currencies"][0]["currency"], "USD");
    assert_eq!(
        summary["currencies"][0]["net_worth"],
        points[30]["net_worth"]
    );

    // Bad input: clear problems.
    for (query, needle) in [
        ("start_date=2026-02-01&end_date=2026-01-01", "start_date"),
        ("start_date=2019-01-01&end_date=2026-01-01", "5 years"),
        ("currency=XYZ", "XYZ"),
    ] {
        let (status, problem) = call(
            Method::GET,
            format!("/api/v1/portfolio/net-worth?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{problem}"
        );
    }
}
