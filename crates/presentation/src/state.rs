use std::sync::Arc;

use dashtam_application::Ports;

/// HTTP-only configuration.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Public base URL of the API; problem `type`s are `<base>/errors/<code>`.
    pub api_base_url: String,
    pub version: &'static str,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub ports: Arc<Ports>,
    pub http: Arc<HttpConfig>,
}

impl AppState {
    pub fn new(ports: Ports, http: HttpConfig) -> Self {
        Self {
            ports: Arc::new(ports),
            http: Arc::new(http),
        }
    }
}
