use chrono::Duration;
use dashtam_sandbox::Profile;
use serde_json::Value;

use crate::common::{REDIRECT, client, clock, exchange, json, refresh, sandbox, tokens, trader};

/// The value of attribute `name` in an HTML tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

#[tokio::test]
async fn the_consent_form_round_trip_gives_a_code_that_exchanges_for_tokens() {
    let clock = clock();
    let sb = sandbox(&clock).await;
    let page = client()
        .get(format!("{}/v1/oauth/authorize", sb.schwab_base()))
        .query(&[
            ("client_id", "sandbox-client"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", "a b&c"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sandbox Schwab — authorize Dashtam"));
    let form_start = html.find("<form").unwrap();
    let form_tag = &html[form_start..form_start + html[form_start..].find('>').unwrap()];
    assert_eq!(attr(form_tag, "method").unwrap(), "post");
    let action = attr(form_tag, "action").unwrap();
    let mut fields: Vec<(String, String)> = html
        .split("<input")
        .skip(1)
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "value")?)))
        .collect();
    assert!(fields.contains(&("state".into(), "a b&c".into())));
    assert!(fields.contains(&("redirect_uri".into(), REDIRECT.into())));
    for p in [
        "investor",
        "empty",
        "rate_limited",
        "unavailable",
        "revoked",
        "slow",
        "bulk",
    ] {
        assert!(html.contains(&format!("<option value=\"{p}\"")), "{p}");
    }
    assert!(html.contains("<option value=\"investor\" selected>"));
    fields.push(("profile".into(), "investor".into()));
    fields.push(("decision".into(), "allow".into()));
    let answer = client()
        .post(format!("{}{action}", sb.base_url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=C0.")),
        "{location}"
    );
    assert!(location.contains("%40&session="), "{location}");
    assert!(location.ends_with("&state=a%20b%26c"), "{location}");
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .unwrap()
        .replace("%40", "@");
    let r = exchange(&sb, &code).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "api");
    for k in ["access_token", "refresh_token", "id_token"] {
        assert!(body[k].as_str().is_some_and(|s| !s.is_empty()), "{k}");
    }
    assert_eq!(sb.counters().schwab_token, 1);
}

#[tokio::test]
async fn an_unknown_client_id_gets_an_html_400() {
    let sb = sandbox(&clock()).await;
    let r = client()
        .get(format!(
            "{}/v1/oauth/authorize?client_id=nobody&redirect_uri={REDIRECT}&response_type=code&state=s",
            sb.schwab_base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_lives_30_seconds() {
    let clock = clock();
    let sb = sandbox(&clock).await;
    let code = sb
        .authorize("sandbox-client", REDIRECT, "s", Profile::Investor)
        .await;
    assert!(code.starts_with("C0.") && code.ends_with('@'));
    assert_eq!(exchange(&sb, &code).await.status(), 200);
    let again = exchange(&sb, &code).await;
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    let late = sb
        .authorize("sandbox-client", REDIRECT, "s", Profile::Investor)
        .await;
    clock.advance(Duration::seconds(30));
    let r = exchange(&sb, &late).await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn the_token_endpoint_checks_basic_auth_and_the_redirect_uri() {
    let sb = sandbox(&clock()).await;
    let code = sb
        .authorize("sandbox-client", REDIRECT, "s", Profile::Investor)
        .await;
    let url = format!("{}/v1/oauth/token", sb.schwab_base());
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    for secret in [Some("wrong"), None] {
        let mut req = client().post(&url).form(&form);
        if let Some(secret) = secret {
            req = req.basic_auth("sandbox-client", Some(secret));
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            serde_json::json!({"error": "invalid_client"})
        );
    }
    let r = client()
        .post(&url)
        .basic_auth("sandbox-client", Some("sandbox-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "https://elsewhere/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test]
async fn refreshing_does_not_extend_the_seven_days_from_consent() {
    let clock = clock();
    let sb = sandbox(&clock).await;
    let (_, rt) = tokens(&sb, Profile::Investor).await;
    clock.advance(Duration::days(6));
    let r = refresh(&sb, &rt).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let (status, _, _) = trader(&sb, &access, "/accounts/accountNumbers").await;
    assert_eq!(status, 200);
    let rt2 = body["refresh_token"].as_str().unwrap().to_owned();
    clock.advance(Duration::days(1));
    for token in [rt, rt2] {
        let r = refresh(&sb, &token).await;
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "unsupported_token_type");
        let d = body["error_description"].as_str().unwrap();
        assert!(d.starts_with("400 Bad Request: \"{\\\"error_description\\\":\\\"Exception while authenticating refresh token [tokenDigest="), "{d}");
        assert!(d.contains("refresh_token_authentication_error"));
    }
    assert_eq!(refresh(&sb, "unknown").await.status(), 400);
}

#[tokio::test]
async fn an_access_token_expires_after_30_minutes_with_schwabs_401_body() {
    let clock = clock();
    let sb = sandbox(&clock).await;
    let (access, _) = tokens(&sb, Profile::Investor).await;
    clock.advance(Duration::minutes(29));
    assert_eq!(
        trader(&sb, &access, "/accounts/accountNumbers").await.0,
        200
    );
    clock.advance(Duration::minutes(1));
    let (status, _, body) = trader(&sb, &access, "/accounts/accountNumbers").await;
    assert_eq!(status, 401);
    let body = json(&body);
    let e = &body["errors"][0];
    assert_eq!(e["status"], 401);
    assert_eq!(e["title"], "Unauthorized");
    assert_eq!(e["detail"], "Client not authorized");
    assert_eq!(e["id"].as_str().unwrap().len(), 36);
    assert_eq!(trader(&sb, "nonsense", "/userPreference").await.0, 401);
}

#[tokio::test]
async fn the_revoked_profile_issues_a_dead_token_and_refuses_refresh() {
    let sb = sandbox(&clock()).await;
    let (access, rt) = tokens(&sb, Profile::Revoked).await;
    assert_eq!(
        trader(&sb, &access, "/accounts/accountNumbers").await.0,
        401
    );
    let r = refresh(&sb, &rt).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_token_type"
    );
}
