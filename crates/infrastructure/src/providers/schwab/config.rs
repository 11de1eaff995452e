use dashtam_core::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use crate::providers::{RetryPolicy, Timeouts};

pub const SCHWAB_BASE_URL: &str = "https://api.schwabapi.com";

/// Where Schwab is and the app's credentials. `Debug` shows no secret.
#[derive(Clone)]
pub struct SchwabConfig {
    /// `https://api.schwabapi.com`, or the sandbox's `.../_sandbox/schwab`; no trailing `/`.
    pub base_url: String,
    /// The app key.
    pub client_id: String,
    /// The app secret.
    pub client_secret: SecretString,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
}

impl SchwabConfig {
    /// The real API with the default timeouts and retries.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            base_url: SCHWAB_BASE_URL.to_owned(),
            client_id: client_id.into(),
            client_secret,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// From the Secrets Manager secret `{"client_id": "...", "client_secret": "..."}`. The
    /// error never echoes the secret.
    pub fn from_secret_json(secret: &SecretString) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct App {
            client_id: String,
            client_secret: String,
        }
        let app: App = serde_json::from_str(secret.expose_secret()).map_err(|_| {
            "the Schwab app secret is not JSON {\"client_id\", \"client_secret\"}".to_owned()
        })?;
        Ok(Self::new(
            app.client_id,
            SecretString::from(app.client_secret),
        ))
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}

impl std::fmt::Debug for SchwabConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchwabConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_parses_and_never_shows() {
        let s = SecretString::from(r#"{"client_id":"app","client_secret":"hunter2"}"#.to_owned());
        let c = SchwabConfig::from_secret_json(&s).unwrap();
        assert_eq!(c.client_id, "app");
        assert_eq!(c.base_url, SCHWAB_BASE_URL);
        assert!(!format!("{c:?}").contains("hunter2"));
        let bad = SecretString::from("hunter2".to_owned());
        let e = SchwabConfig::from_secret_json(&bad).unwrap_err();
        assert!(!e.contains("hunter2"));
        let c = c.with_base_url("http://127.0.0.1:9/_sandbox/schwab/");
        assert_eq!(
            c.url("/v1/oauth/token"),
            "http://127.0.0.1:9/_sandbox/schwab/v1/oauth/token"
        );
    }
}
