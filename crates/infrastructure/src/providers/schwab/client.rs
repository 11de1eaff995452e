//! The Trader API (`{base}/trader/v1`) as a [`ProviderClient`]. Every path names an
//! account by its `hashValue` from `/accounts/accountNumbers`, never the plain number
//! (D1); transactions are asked for with full ISO date-times, all 15 `types`, in windows
//! of at most a year, halved until a window holds fewer than 3000 rows (D2).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use dashtam_core::ExposeSecret as _;
use dashtam_domain::providers::{
    Credentials, DateWindow, ProviderAccount, ProviderClient, ProviderError, ProviderHolding,
    ProviderTransaction, mapping::schwab::TRANSACTION_TYPES,
};
use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::{config::SchwabConfig, map, time, wire};
use crate::providers::http::{ProviderHttp, ProviderRequest, Reply};

/// Schwab's cap on one transactions response.
const MAX_ROWS: usize = 3000;
/// A window of 364 days is within "at most 1 year" whatever the leap years.
const MAX_WINDOW_DAYS: i64 = 364;
/// Below this a full window is not split further (3000 rows in a second cannot be).
const MIN_SPLIT: Duration = Duration::seconds(1);

/// [`ProviderClient`] for Schwab; needs `Credentials::OAuth`.
#[derive(Debug, Clone)]
pub struct SchwabClient {
    config: SchwabConfig,
    http: ProviderHttp,
}

impl SchwabClient {
    pub fn new(config: SchwabConfig) -> Result<Self, ProviderError> {
        let http = ProviderHttp::new("schwab", config.timeouts, config.retry)?;
        Ok(Self { config, http })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        token: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ProviderError> {
        let url = self.config.url(&format!("/trader/v1{path}"));
        let request = ProviderRequest::get(url).bearer(token).query(query);
        let reply = self.http.send(op, &request).await?;
        check(op, &reply)?;
        reply.json(op)
    }

    /// The hash of a plain account number.
    async fn hash_of(&self, token: &str, account_number: &str) -> Result<String, ProviderError> {
        let numbers: Vec<wire::AccountNumber> = self
            .get("account numbers", token, "/accounts/accountNumbers", &[])
            .await?;
        numbers
            .into_iter()
            .find(|n| n.account_number == account_number)
            .map(|n| n.hash_value)
            .ok_or_else(|| {
                ProviderError::InvalidResponse(
                    "schwab account numbers: the account is not among the user's".into(),
                )
            })
    }

    /// Every transaction in `[from, to]`, halving a window that came back full.
    async fn transactions_between(
        &self,
        token: &str,
        hash: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Value>, ProviderError> {
        let path = format!("/accounts/{hash}/transactions");
        let types = TRANSACTION_TYPES.join(",");
        let mut pending = vec![(from, to)];
        let mut rows = Vec::new();
        while let Some((from, to)) = pending.pop() {
            let (start, end) = (time::query(from), time::query(to));
            let page: Vec<Value> = self
                .get(
                    "transactions",
                    token,
                    &path,
                    &[("startDate", &start), ("endDate", &end), ("types", &types)],
                )
                .await?;
            if page.len() >= MAX_ROWS && to - from > MIN_SPLIT {
                // Schwab cut the answer: ask again for each half (bounds inclusive, to the ms).
                let mid = from + (to - from) / 2;
                pending.push((mid + Duration::milliseconds(1), to));
                pending.push((from, mid));
                continue;
            }
            if page.len() >= MAX_ROWS {
                tracing::warn!(
                    rows = page.len(),
                    "schwab window still full at its smallest"
                );
            }
            rows.extend(page);
        }
        Ok(rows)
    }
}

/// A non-2xx Trader API answer → the domain's error.
fn check(op: &str, reply: &Reply) -> Result<(), ProviderError> {
    match reply.status {
        s if s.is_success() => Ok(()),
        // `{"errors":[{"status":401,"title":"Unauthorized","detail":"Client not authorized"}]}`
        StatusCode::UNAUTHORIZED => Err(ProviderError::TokenExpired),
        StatusCode::FORBIDDEN => Err(ProviderError::Rejected(format!(
            "schwab {op}: access to this data is not allowed"
        ))),
        s => Err(ProviderError::InvalidResponse(format!(
            "schwab {op}: HTTP {}{}",
            s.as_u16(),
            service_message(&reply.body)
        ))),
    }
}

/// The `message` of Schwab's `ServiceError` (it names the refused parameter), cut short.
fn service_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ServiceError {
        message: Option<String>,
    }
    serde_json::from_slice::<ServiceError>(body)
        .ok()
        .and_then(|e| e.message)
        .map(|m| format!(": {}", m.chars().take(160).collect::<String>()))
        .unwrap_or_default()
}

fn access_token(credentials: &Credentials) -> Result<&str, ProviderError> {
    match credentials {
        Credentials::OAuth { access_token, .. } => Ok(access_token.expose_secret()),
        Credentials::ApiKey { .. } => Err(ProviderError::Rejected(
            "schwab needs OAuth credentials, not API keys".into(),
        )),
    }
}

/// The day windows (≤ 364 days each) covering `window`, as UTC instants.
fn chunks(window: DateWindow) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = window.start;
    while start <= window.end {
        let end = (start + Duration::days(MAX_WINDOW_DAYS - 1)).min(window.end);
        let from = start.and_time(NaiveTime::MIN).and_utc();
        let to =
            end.and_time(NaiveTime::MIN).and_utc() + Duration::days(1) - Duration::milliseconds(1);
        out.push((from, to));
        start = end + Duration::days(1);
    }
    out
}

#[async_trait]
impl ProviderClient for SchwabClient {
    async fn accounts(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<ProviderAccount>, ProviderError> {
        let token = access_token(credentials)?;
        let accounts: Vec<Value> = self.get("accounts", token, "/accounts", &[]).await?;
        // Nicknames are cosmetic: an unreadable preference answer costs the names only.
        let preference: wire::UserPreference = match self
            .get("user preference", token, "/userPreference", &[])
            .await
        {
            Ok(p) => p,
            Err(ProviderError::InvalidResponse(why)) => {
                tracing::warn!(%why, "schwab user preference unreadable; default names");
                wire::UserPreference::default()
            }
            Err(e) => return Err(e),
        };
        let nicknames: HashMap<String, String> = preference
            .accounts
            .into_iter()
            .filter_map(|a| a.nick_name.map(|n| (a.account_number, n)))
            .collect();
        accounts
            .into_iter()
            .map(|raw| {
                let number = raw["securitiesAccount"]["accountNumber"]
                    .as_str()
                    .unwrap_or("");
                let nickname = nicknames.get(number).cloned();
                map::account(raw, nickname.as_deref())
            })
            .collect()
    }

    async fn transactions(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
        window: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError> {
        let token = access_token(credentials)?;
        let hash = self.hash_of(token, provider_account_id).await?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut unreadable = 0usize;
        for (from, to) in chunks(window) {
            for raw in self.transactions_between(token, &hash, from, to).await? {
                match map::transaction(raw) {
                    Ok(t) if seen.insert(t.provider_transaction_id.clone()) => out.push(t),
                    Ok(_) => {}
                    Err(_) => unreadable += 1,
                }
            }
        }
        if unreadable > 0 {
            tracing::warn!(unreadable, "schwab transactions skipped (unreadable rows)");
        }
        Ok(out)
    }

    async fn holdings(
        &self,
        credentials: &Credentials,
        provider_account_id: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError> {
        let token = access_token(credentials)?;
        let hash = self.hash_of(token, provider_account_id).await?;
        let account: wire::Account = self
            .get(
                "positions",
                token,
                &format!("/accounts/{hash}"),
                &[("fields", "positions")],
            )
            .await?;
        let mut out = Vec::new();
        for raw in account.securities_account.positions {
            if let Some(h) = map::holding(raw)? {
                out.push(h);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows_stay_within_a_year_and_cover_every_day() {
        let w = DateWindow {
            start: day("2023-01-01"),
            end: day("2025-03-01"),
        };
        let c = chunks(w);
        assert_eq!(c.len(), 3);
        assert_eq!(time::query(c[0].0), "2023-01-01T00:00:00.000Z");
        assert_eq!(time::query(c[0].1), "2023-12-30T23:59:59.999Z");
        assert_eq!(time::query(c[1].0), "2023-12-31T00:00:00.000Z");
        assert_eq!(time::query(c[2].1), "2025-03-01T23:59:59.999Z");
        for (from, to) in &c {
            assert!(*to - *from < Duration::days(365));
        }
        for pair in c.windows(2) {
            assert_eq!(pair[1].0 - pair[0].1, Duration::milliseconds(1));
        }
        let one = chunks(DateWindow {
            start: day("2024-02-29"),
            end: day("2024-02-29"),
        });
        assert_eq!(one.len(), 1);
        let none = chunks(DateWindow {
            start: day("2024-03-01"),
            end: day("2024-02-29"),
        });
        assert!(none.is_empty());
    }

    #[test]
    fn errors_map_without_bodies() {
        let reply = |status, body: &'static str| Reply {
            status,
            body: bytes::Bytes::from_static(body.as_bytes()),
        };
        let unauthorized = r#"{"errors":[{"id":"x","status":401,"title":"Unauthorized","detail":"Client not authorized"}]}"#;
        assert_eq!(
            check("accounts", &reply(StatusCode::UNAUTHORIZED, unauthorized)),
            Err(ProviderError::TokenExpired)
        );
        let bad =
            r#"{"message":"'2024-01-01' is not a valid value for startDate","errors":["..."]}"#;
        assert_eq!(
            check("transactions", &reply(StatusCode::BAD_REQUEST, bad)),
            Err(ProviderError::InvalidResponse(
                "schwab transactions: HTTP 400: '2024-01-01' is not a valid value for startDate"
                    .into()
            ))
        );
        assert!(check("x", &reply(StatusCode::OK, "[]")).is_ok());
    }
}
