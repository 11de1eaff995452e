use crate::providers::{RetryPolicy, Timeouts};

pub const ALPACA_PAPER_URL: &str = "https://paper-api.alpaca.markets";
pub const ALPACA_LIVE_URL: &str = "https://api.alpaca.markets";

/// Where Alpaca is. The keys are the user's (`Credentials::ApiKey`), not configuration.
#[derive(Debug, Clone)]
pub struct AlpacaConfig {
    /// The paper host by default, or the sandbox's `.../_sandbox/alpaca`; no trailing `/`.
    pub base_url: String,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
}

impl Default for AlpacaConfig {
    fn default() -> Self {
        Self {
            base_url: ALPACA_PAPER_URL.to_owned(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }
}

impl AlpacaConfig {
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}
