use std::sync::Arc;

use dashtam_application::Ports;
use dashtam_domain::platform::rate_limit::Limits;

/// HTTP-only configuration.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Public base URL of the API; problem `type`s are `<base>/errors/<code>`.
    pub api_base_url: String,
    pub version: &'static str,
    /// Proxies in front of the platform whose `X-Forwarded-For` entries are trusted
    /// (0: the header is ignored and the platform's source IP is the client IP).
    pub trusted_proxy_hops: usize,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub ports: Arc<Ports>,
    pub http: Arc<HttpConfig>,
    /// The rate-limit table; `None` when rate limiting is switched off.
    pub rate_limits: Option<Arc<Limits>>,
}

impl AppState {
    pub fn new(ports: Ports, http: HttpConfig) -> Self {
        Self {
            ports: Arc::new(ports),
            http: Arc::new(http),
            rate_limits: None,
        }
    }

    /// Rate limiting on, with these limits and the buckets in `ports.platform.rate_limits`.
    #[must_use]
    pub fn with_rate_limits(mut self, limits: Limits) -> Self {
        self.rate_limits = Some(Arc::new(limits));
        self
    }
}
