//! The sandbox's mutable state: issued codes and tokens, call counters, rate-limit windows.

use std::{
    collections::HashMap,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use chrono::{DateTime, Utc};

use crate::{Profile, SandboxConfig};

/// An authorization code issued by the consent form.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub profile: Profile,
    pub issued_at: DateTime<Utc>,
}

/// A consent: what a refresh token (and the access tokens it yields) is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Consent {
    pub client_id: String,
    pub profile: Profile,
    /// The original consent time: the refresh token lapses 7 days after it.
    pub consented_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub profile: Profile,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(crate) struct Grants {
    pub codes: HashMap<String, CodeGrant>,
    pub refresh: HashMap<String, Consent>,
    pub access: HashMap<String, AccessGrant>,
}

impl Grants {
    /// Forgets grants long past any use, so a long-running local stack stays small (kept a
    /// while after expiry so that the answers still say "expired", not "unknown").
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let day = chrono::Duration::days(1);
        self.codes.retain(|_, c| c.issued_at + day > now);
        self.access.retain(|_, a| a.expires_at + day > now);
        self.refresh
            .retain(|_, r| r.consented_at + chrono::Duration::days(8) > now);
    }
}

/// Which endpoint a call was for (see [`Counters`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    SchwabAuthorize,
    SchwabToken,
    SchwabAccountNumbers,
    SchwabAccounts,
    SchwabTransactions,
    SchwabUserPreference,
    AlpacaAccount,
    AlpacaPositions,
    AlpacaActivities,
}

const KINDS: usize = 9;

/// How many requests each kind of endpoint has received so far (every request is counted,
/// the refused and faulted ones included, so tests can assert retries and call counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// `GET` and `POST /v1/oauth/authorize`.
    pub schwab_authorize: u64,
    /// `POST /v1/oauth/token`.
    pub schwab_token: u64,
    pub schwab_account_numbers: u64,
    /// `/accounts` and `/accounts/{hash}`.
    pub schwab_accounts: u64,
    pub schwab_transactions: u64,
    pub schwab_user_preference: u64,
    pub alpaca_account: u64,
    pub alpaca_positions: u64,
    pub alpaca_activities: u64,
}

impl Counters {
    /// Trader API calls (`/trader/v1/...`), all paths.
    pub fn schwab_trader(&self) -> u64 {
        self.schwab_account_numbers
            + self.schwab_accounts
            + self.schwab_transactions
            + self.schwab_user_preference
    }

    /// Alpaca calls, all paths.
    pub fn alpaca(&self) -> u64 {
        self.alpaca_account + self.alpaca_positions + self.alpaca_activities
    }
}

pub(crate) struct State {
    pub config: SandboxConfig,
    grants: Mutex<Grants>,
    counts: [AtomicU64; KINDS],
    /// Alpaca: per key id, the minute window (unix minute) and the calls made in it.
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl State {
    pub fn new(config: SandboxConfig) -> Self {
        Self {
            config,
            grants: Mutex::default(),
            counts: Default::default(),
            windows: Mutex::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    pub fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn count(&self, kind: Kind) {
        self.counts[kind as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn counters(&self) -> Counters {
        let c = |k: Kind| self.counts[k as usize].load(Ordering::Relaxed);
        Counters {
            schwab_authorize: c(Kind::SchwabAuthorize),
            schwab_token: c(Kind::SchwabToken),
            schwab_account_numbers: c(Kind::SchwabAccountNumbers),
            schwab_accounts: c(Kind::SchwabAccounts),
            schwab_transactions: c(Kind::SchwabTransactions),
            schwab_user_preference: c(Kind::SchwabUserPreference),
            alpaca_account: c(Kind::AlpacaAccount),
            alpaca_positions: c(Kind::AlpacaPositions),
            alpaca_activities: c(Kind::AlpacaActivities),
        }
    }

    /// Records one Alpaca call for `key` in the current minute; returns the calls made in it.
    pub fn tick_window(&self, key: &str, minute: i64) -> u32 {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let entry = w.entry(key.to_owned()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1
    }
}
