//! The Trading API as a [`ProviderClient`], with the user's API keys in
//! `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`. Activities are read page by page
//! (`page_token` = the last id of the previous page) until a short page (D7).

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{Duration, NaiveTime};
use dashtam_core::ExposeSecret as _;
use dashtam_domain::providers::{
    Credentials, DateWindow, ProviderAccount, ProviderClient, ProviderError, ProviderHolding,
    ProviderTransaction,
};
use http::{HeaderName, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::{config::AlpacaConfig, map};
use crate::providers::http::{ProviderHttp, ProviderRequest, Reply};

/// Alpaca's largest page without `date`.
const PAGE_SIZE: usize = 100;
/// A bound on the pages one window may take (a million activities), against a server
/// that ignores `page_token`.
const MAX_PAGES: usize = 10_000;

/// [`ProviderClient`] for Alpaca; needs `Credentials::ApiKey`.
#[derive(Debug, Clone)]
pub struct AlpacaClient {
    config: AlpacaConfig,
    http: ProviderHttp,
}

struct Keys<'a> {
    id: &'a str,
    secret: &'a str,
}

fn keys(credentials: &Credentials) -> Result<Keys<'_>, ProviderError> {
    match credentials {
        Credentials::ApiKey { key_id, secret } => Ok(Keys {
            id: key_id.expose_secret(),
            secret: secret.expose_secret(),
        }),
        Credentials::OAuth { .. } => Err(ProviderError::Rejected(
            "alpaca needs API keys, not OAuth tokens".into(),
        )),
    }
}

/// A non-2xx answer. There is no refresh for keys: 401 and 403 are final.
fn check(op: &str, reply: &Reply) -> Result<(), ProviderError> {
    #[derive(Deserialize)]
    struct AlpacaError {
        code: Option<u64>,
    }
    match reply.status {
        s if s.is_success() => Ok(()),
        StatusCode::UNAUTHORIZED => Err(ProviderError::Rejected(
            "alpaca refused the API keys".into(),
        )),
        StatusCode::FORBIDDEN => Err(ProviderError::Rejected(format!(
            "alpaca {op}: forbidden (keys for the other environment?)"
        ))),
        s => {
            let code = serde_json::from_slice::<AlpacaError>(&reply.body)
                .ok()
                .and_then(|e| e.code)
                .map(|c| format!(" (code {c})"))
                .unwrap_or_default();
            Err(ProviderError::InvalidResponse(format!(
                "alpaca {op}: HTTP {}{code}",
                s.as_u16()
            )))
        }
    }
}

impl AlpacaClient {
    pub fn new(config: AlpacaConfig) -> Result<Self, ProviderError> {
        let http = ProviderHttp::new("alpaca", config.timeouts, config.retry)?;
        Ok(Self { config, http })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        keys: &Keys<'_>,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ProviderError> {
        let url = self.config.url(path);
        let request = ProviderRequest::get(url)
            .secret_header(HeaderName::from_static("apca-api-key-id"), keys.id)
            .secret_header(HeaderName::from_static("apca-api-secret-key"), keys.secret)
            .query(query);
        let reply = self.http.send(op, &request).await?;
        check(op, &reply)?;
        reply.json(op)
    }
}

#[async_trait]
impl ProviderClient for AlpacaClient {
    async fn accounts(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<ProviderAccount>, ProviderError> {
        let keys = keys(credentials)?;
        let raw: Value = self.get("account", &keys, "/v2/account", &[]).await?;
        Ok(vec![map::account(raw)?])
    }

    async fn transactions(
        &self,
        credentials: &Credentials,
        _provider_account_id: &str,
        window: DateWindow,
    ) -> Result<Vec<ProviderTransaction>, ProviderError> {
        let keys = keys(credentials)?;
        // `after` is exclusive on the real API: start a second early, then keep the
        // window's days only.
        let after = window.start.and_time(NaiveTime::MIN).and_utc() - Duration::seconds(1);
        let until = window.end.and_time(NaiveTime::MIN).and_utc() + Duration::days(1)
            - Duration::milliseconds(1);
        let after = after.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let until = until.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let page_size = PAGE_SIZE.to_string();
        let mut token: Option<String> = None;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut unreadable = 0usize;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                ("after", after.as_str()),
                ("until", until.as_str()),
                ("direction", "desc"),
                ("page_size", page_size.as_str()),
            ];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let page: Vec<Value> = self
                .get("activities", &keys, "/v2/account/activities", &query)
                .await?;
            let full = page.len() >= PAGE_SIZE;
            let last = page
                .last()
                .and_then(|a| a["id"].as_str())
                .map(str::to_owned);
            for raw in page {
                match map::transaction(raw) {
                    Ok(t)
                        if t.transaction_date < window.start || t.transaction_date > window.end => {
                    }
                    Ok(t) if seen.insert(t.provider_transaction_id.clone()) => out.push(t),
                    Ok(_) => {}
                    Err(_) => unreadable += 1,
                }
            }
            match last {
                // A page that did not move on would loop for ever.
                Some(id) if full && token.as_deref() != Some(id.as_str()) => token = Some(id),
                _ => break,
            }
        }
        if unreadable > 0 {
            tracing::warn!(unreadable, "alpaca activities skipped (unreadable rows)");
        }
        Ok(out)
    }

    async fn holdings(
        &self,
        credentials: &Credentials,
        _provider_account_id: &str,
    ) -> Result<Vec<ProviderHolding>, ProviderError> {
        let keys = keys(credentials)?;
        let positions: Vec<Value> = self.get("positions", &keys, "/v2/positions", &[]).await?;
        let mut out = Vec::new();
        for raw in positions {
            if let Some(h) = map::holding(raw)? {
                out.push(h);
            }
        }
        Ok(out)
    }
}
