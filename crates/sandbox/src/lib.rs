//! The sandbox brokerage (dev-only): the Schwab OAuth + Trader API and the Alpaca Trading
//! API in their real wire formats, with deterministic data per [`Profile`] and injectable
//! faults. `dashtam-local` serves it on its own port; other crates' tests spawn it on an
//! ephemeral port with [`Sandbox::spawn`] and point the real provider clients at
//! [`Sandbox::schwab_base`] and [`Sandbox::alpaca_base`]. Never a dependency of a Lambda
//! function. The profiles, keys and rules are listed in the crate's README.md.

// Handlers answer an error `Response` as soon as a rule fails; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

mod alpaca;
mod consent_client;
mod hash;
mod money;
mod profile;
mod schwab;
mod state;
mod url;

use std::{sync::Arc, time::Duration};

use dashtam_core::{Clock, SystemClock};

pub use profile::{Profile, UnknownProfile};
pub use state::Counters;
use state::State;

/// How the sandbox is set up: its clock, the Schwab app credentials, the Alpaca key pairs.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Drives code, token and refresh expiry, and "today" for the seeded data.
    pub clock: Arc<dyn Clock>,
    pub schwab_client_id: String,
    pub schwab_client_secret: String,
    /// `(key id, secret, profile)` triples accepted by the Alpaca sandbox.
    pub alpaca_keys: Vec<(String, String, Profile)>,
    /// How long [`Profile::Slow`] waits before it answers.
    pub slow_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let key = |id: &str, profile| (id.to_owned(), "sandbox-secret".to_owned(), profile);
        Self {
            clock: Arc::new(SystemClock),
            schwab_client_id: "sandbox-client".into(),
            schwab_client_secret: "sandbox-secret".into(),
            alpaca_keys: vec![
                key("sandbox-key", Profile::Investor),
                key("sandbox-key-empty", Profile::Empty),
                key("sandbox-key-rate-limited", Profile::RateLimited),
                key("sandbox-key-unavailable", Profile::Unavailable),
                key("sandbox-key-slow", Profile::Slow),
            ],
            slow_delay: Duration::from_secs(10),
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("schwab_client_id", &self.schwab_client_id)
            .field("alpaca_keys", &self.alpaca_keys.len())
            .field("slow_delay", &self.slow_delay)
            .finish_non_exhaustive()
    }
}

/// The sandbox's routes: `/_sandbox/schwab/...` and `/_sandbox/alpaca/...`.
pub fn router(config: SandboxConfig) -> axum::Router {
    routes(Arc::new(State::new(config)))
}

fn routes(state: Arc<State>) -> axum::Router {
    axum::Router::new()
        .nest("/_sandbox/schwab", schwab::router(state.clone()))
        .nest("/_sandbox/alpaca", alpaca::router(state))
}

/// Serves the sandbox on `listener` until the task is dropped or fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SandboxConfig,
) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

/// A sandbox serving on an ephemeral port of 127.0.0.1 (for tests); stops when dropped.
pub struct Sandbox {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Binds 127.0.0.1:0 and serves in a tokio task.
    pub async fn spawn(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(config));
        let app = routes(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Sandbox {
            base_url: format!("http://{addr}"),
            state,
            task,
        })
    }

    /// `{base_url}/_sandbox/schwab`: stands for `https://api.schwabapi.com`.
    pub fn schwab_base(&self) -> String {
        format!("{}/_sandbox/schwab", self.base_url)
    }

    /// `{base_url}/_sandbox/alpaca`: stands for `https://paper-api.alpaca.markets`.
    pub fn alpaca_base(&self) -> String {
        format!("{}/_sandbox/alpaca", self.base_url)
    }

    /// Test helper: runs the consent as a browser would (fetches the consent page, submits
    /// its form with `profile`) and returns the callback's `code`, already URL-decoded.
    ///
    /// # Panics
    /// When the sandbox refuses the consent (unknown client id, malformed redirect URI).
    pub async fn authorize(
        &self,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        profile: Profile,
    ) -> String {
        consent_client::authorize(&self.base_url, client_id, redirect_uri, state, profile).await
    }

    /// How many calls each endpoint has received so far.
    pub fn counters(&self) -> Counters {
        self.state.counters()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
