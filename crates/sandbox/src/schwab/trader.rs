//! The Trader API (`/trader/v1/...`): bearer check, profile faults, then the seeded data.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json,
    extract::{Path, Query, State as Extract},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use chrono::Months;
use serde_json::{Value, json};

use super::{
    accounts::{self, Account},
    dates, errors, transaction_json, transactions,
};
use crate::{
    Profile,
    state::{Kind, State},
};

/// At most this many transactions in one response (Schwab's documented cap).
pub(crate) const MAX_TRANSACTIONS: usize = 3000;

const TYPES: [&str; 15] = [
    "TRADE",
    "RECEIVE_AND_DELIVER",
    "DIVIDEND_OR_INTEREST",
    "ACH_RECEIPT",
    "ACH_DISBURSEMENT",
    "CASH_RECEIPT",
    "CASH_DISBURSEMENT",
    "ELECTRONIC_FUND",
    "WIRE_OUT",
    "WIRE_IN",
    "JOURNAL",
    "MEMORANDUM",
    "MARGIN_CALL",
    "MONEY_MARKET",
    "SMA_ADJUSTMENT",
];

type Params = Query<HashMap<String, String>>;

/// Counts the call, checks the bearer token and applies the profile's fault.
async fn gate(state: &State, headers: &HeaderMap, kind: Kind) -> Result<Profile, Response> {
    state.count(kind);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let grant = token.and_then(|t| state.grants().access.get(t).cloned());
    let profile = match grant {
        Some(g) if state.now() < g.expires_at => g.profile,
        _ => return Err(errors::unauthorized()),
    };
    match profile {
        Profile::RateLimited => return Err(errors::rate_limited()),
        Profile::Unavailable => return Err(errors::unavailable()),
        Profile::Slow => tokio::time::sleep(state.config.slow_delay).await,
        _ => {}
    }
    Ok(profile)
}

fn find(profile: Profile, hash: &str) -> Result<(u64, Account), Response> {
    accounts::accounts(profile)
        .into_iter()
        .zip(0u64..)
        .find(|(a, _)| a.hash == hash)
        .map(|(a, i)| (i, a))
        .ok_or_else(|| {
            errors::service(
                "Invalid account number",
                &format!("{hash} is not a valid encrypted account number (use hashValue)"),
            )
        })
}

fn with_positions(q: &HashMap<String, String>) -> bool {
    q.get("fields")
        .is_some_and(|f| f.split(',').any(|f| f.trim() == "positions"))
}

pub(crate) async fn account_numbers(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
) -> Response {
    let profile = match gate(&state, &headers, Kind::SchwabAccountNumbers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let body: Vec<Value> = accounts::accounts(profile)
        .iter()
        .map(|a| json!({"accountNumber": a.number, "hashValue": a.hash}))
        .collect();
    Json(body).into_response()
}

pub(crate) async fn accounts(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let profile = match gate(&state, &headers, Kind::SchwabAccounts).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let positions = with_positions(&q);
    let body: Vec<Value> = accounts::accounts(profile)
        .iter()
        .map(|a| a.json(positions))
        .collect();
    Json(body).into_response()
}

pub(crate) async fn account(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    Query(q): Params,
) -> Response {
    let profile = match gate(&state, &headers, Kind::SchwabAccounts).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match find(profile, &hash) {
        Ok((_, a)) => Json(a.json(with_positions(&q))).into_response(),
        Err(r) => r,
    }
}

fn date_param(
    q: &HashMap<String, String>,
    name: &str,
) -> Result<chrono::DateTime<chrono::Utc>, Response> {
    let Some(value) = q.get(name) else {
        return Err(errors::service(
            "Missing required parameter",
            &format!("{name} is required"),
        ));
    };
    dates::parse_query(value).ok_or_else(|| {
        errors::service(
            &format!("'{value}' is not a valid value for {name}"),
            &format!("{name} must be an ISO-8601 date-time, yyyy-MM-dd'T'HH:mm:ss.SSSZ"),
        )
    })
}

pub(crate) async fn transactions(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    Query(q): Params,
) -> Response {
    let profile = match gate(&state, &headers, Kind::SchwabTransactions).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (index, account) = match find(profile, &hash) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (start, end) = match (date_param(&q, "startDate"), date_param(&q, "endDate")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let Some(types) = q.get("types").filter(|t| !t.trim().is_empty()) else {
        return errors::service("Missing required parameter", "types is required");
    };
    let types: Vec<&str> = types.split(',').map(str::trim).collect();
    if let Some(bad) = types.iter().find(|t| !TYPES.contains(t)) {
        return errors::service(
            &format!("'{bad}' is not a valid value for types"),
            &format!(
                "types must be a comma-separated list of: {}",
                TYPES.join(", ")
            ),
        );
    }
    if end < start {
        return errors::service("Invalid date range", "endDate must not be before startDate");
    }
    if start
        .checked_add_months(Months::new(12))
        .is_none_or(|limit| end > limit)
    {
        return errors::service("Invalid date range", "Maximum date range is 1 year");
    }
    let symbol = q.get("symbol").map(String::as_str);
    let today = state.now().date_naive();
    let body: Vec<Value> = transactions::generate(profile, &account, index, today)
        .iter()
        .filter(|t| t.time >= start && t.time <= end && types.contains(&t.kind))
        .filter(|t| symbol.is_none_or(|s| t.symbol() == Some(s)))
        .take(MAX_TRANSACTIONS)
        .map(|t| transaction_json::json(t, &account.number))
        .collect();
    Json(body).into_response()
}

pub(crate) async fn user_preference(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
) -> Response {
    let profile = match gate(&state, &headers, Kind::SchwabUserPreference).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let accounts: Vec<Value> = accounts::accounts(profile)
        .iter()
        .enumerate()
        .map(|(i, a)| a.preference_json(i == 0))
        .collect();
    Json(json!({
        "accounts": accounts,
        "streamerInfo": [{
            "streamerSocketUrl": "wss://streamer-api.schwab.com/ws",
            "schwabClientCustomerId": crate::hash::hex64(profile.ordinal()),
            "schwabClientCorrelId": "sandbox",
            "schwabClientChannel": "N9",
            "schwabClientFunctionId": "APIAPP",
        }],
        "offers": [{"level2Permissions": false, "mktDataPermission": "NP"}],
    }))
    .into_response()
}
