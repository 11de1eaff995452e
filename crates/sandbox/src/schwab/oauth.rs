//! `/v1/oauth/authorize` (the consent page and its form) and `/v1/oauth/token`.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Form, Json,
    extract::{Query, State as Extract},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{consent_page, errors};
use crate::{
    Profile,
    state::{AccessGrant, CodeGrant, Consent, Kind, State},
    url,
};

const CODE_LIFE: Duration = Duration::seconds(30);
const ACCESS_LIFE: Duration = Duration::minutes(30);
const REFRESH_LIFE: Duration = Duration::days(7);

fn check_request(state: &State, client_id: &str, redirect_uri: &str) -> Result<(), Response> {
    if client_id != state.config.schwab_client_id {
        return Err(consent_page::refused(
            "Unknown client_id: this app is not registered.",
        ));
    }
    if !(redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")) {
        return Err(consent_page::refused(
            "redirect_uri must be an http(s) URL.",
        ));
    }
    Ok(())
}

pub(crate) async fn consent_page(
    Extract(state): Extract<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    state.count(Kind::SchwabAuthorize);
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("response_type") != "code" {
        return consent_page::refused("response_type must be code.");
    }
    if let Err(r) = check_request(&state, get("client_id"), get("redirect_uri")) {
        return r;
    }
    consent_page::consent(get("client_id"), get("redirect_uri"), get("state"))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConsentForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
    profile: Option<String>,
    decision: Option<String>,
}

fn random_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    format!(
        "{prefix}.b2F1dGgyLmJkYy5zY2h3YWIuY29t.{}@",
        URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub(crate) async fn consent_submit(
    Extract(state): Extract<Arc<State>>,
    form: Result<Form<ConsentForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    state.count(Kind::SchwabAuthorize);
    let Ok(Form(form)) = form else {
        return consent_page::refused("The consent form could not be read.");
    };
    if let Err(r) = check_request(&state, &form.client_id, &form.redirect_uri) {
        return r;
    }
    let profile = match form
        .profile
        .as_deref()
        .unwrap_or("investor")
        .parse::<Profile>()
    {
        Ok(p) => p,
        Err(e) => return consent_page::refused(&e.to_string()),
    };
    let sep = if form.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = if form.decision.as_deref() == Some("deny") {
        format!(
            "{}{sep}error=access_denied&error_description={}&state={}",
            form.redirect_uri,
            url::encode("The user denied the request"),
            url::encode(&form.state)
        )
    } else {
        let code = random_token("C0");
        let mut grants = state.grants();
        grants.prune(state.now());
        grants.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: form.client_id.clone(),
                redirect_uri: form.redirect_uri.clone(),
                profile,
                issued_at: state.now(),
            },
        );
        drop(grants);
        format!(
            "{}{sep}code={}&session={}&state={}",
            form.redirect_uri,
            url::encode(&code),
            crate::hash::random_uuid(),
            url::encode(&form.state)
        )
    };
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => consent_page::refused("redirect_uri is not a valid URL."),
    }
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

pub(crate) async fn token(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    state.count(Kind::SchwabToken);
    let c = &state.config;
    match basic_auth(&headers) {
        Some((id, secret)) if id == c.schwab_client_id && secret == c.schwab_client_secret => {}
        _ => return errors::oauth(StatusCode::UNAUTHORIZED, "invalid_client", None),
    }
    let Ok(Form(form)) = form else {
        let d = "the body must be application/x-www-form-urlencoded";
        return errors::oauth(StatusCode::BAD_REQUEST, "invalid_request", Some(d));
    };
    match form.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(&state, &form),
        Some("refresh_token") => refresh(&state, form.refresh_token.as_deref().unwrap_or("")),
        Some(_) => errors::oauth(StatusCode::BAD_REQUEST, "unsupported_grant_type", None),
        None => errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("grant_type is required"),
        ),
    }
}

fn invalid_grant(description: &str) -> Response {
    errors::oauth(StatusCode::BAD_REQUEST, "invalid_grant", Some(description))
}

fn exchange_code(state: &State, form: &TokenForm) -> Response {
    let now = state.now();
    let code = form.code.as_deref().unwrap_or("");
    // Single use: the code is gone whether or not the exchange succeeds.
    let Some(grant) = state.grants().codes.remove(code) else {
        return invalid_grant("Authorization code is invalid or has already been used");
    };
    if now >= grant.issued_at + CODE_LIFE {
        return invalid_grant("Authorization code has expired");
    }
    if form.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return invalid_grant("redirect_uri does not match the authorization request");
    }
    let refresh_token = random_token("R0");
    let consent = Consent {
        client_id: grant.client_id,
        profile: grant.profile,
        consented_at: now,
    };
    state
        .grants()
        .refresh
        .insert(refresh_token.clone(), consent.clone());
    issue(state, &consent, refresh_token, now)
}

fn refresh(state: &State, refresh_token: &str) -> Response {
    let now = state.now();
    let consent = state.grants().refresh.get(refresh_token).cloned();
    match consent {
        Some(c)
            if c.profile != Profile::Revoked
                && c.client_id == state.config.schwab_client_id
                && now < c.consented_at + REFRESH_LIFE =>
        {
            issue(state, &c, refresh_token.to_owned(), now)
        }
        _ => errors::refresh_refused(refresh_token),
    }
}

/// A new access token for `consent` (already expired for the revoked profile).
fn issue(state: &State, consent: &Consent, refresh_token: String, now: DateTime<Utc>) -> Response {
    let access_token = random_token("I0");
    let expires_at = if consent.profile == Profile::Revoked {
        now
    } else {
        now + ACCESS_LIFE
    };
    state.grants().access.insert(
        access_token.clone(),
        AccessGrant {
            profile: consent.profile,
            expires_at,
        },
    );
    Json(json!({
        "expires_in": ACCESS_LIFE.num_seconds(),
        "token_type": "Bearer",
        "scope": "api",
        "refresh_token": refresh_token,
        "access_token": access_token,
        "id_token": id_token(&consent.client_id, now),
    }))
    .into_response()
}

/// A JWT-shaped id token (not signed with anything meaningful).
fn id_token(client_id: &str, now: DateTime<Utc>) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({
        "sub": "sandbox-user",
        "aud": client_id,
        "iss": "https://api.schwabapi.com/_sandbox",
        "iat": now.timestamp(),
        "exp": (now + ACCESS_LIFE).timestamp(),
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    format!("{header}.{payload}.{signature}")
}
