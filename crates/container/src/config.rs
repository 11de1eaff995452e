use std::{collections::BTreeSet, path::PathBuf};

use dashtam_domain::platform::rate_limit::{Limit, Limits, Policy};

use crate::TrustRoots;

/// Where state lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// DynamoDB, EventBridge, SQS, Secrets Manager, SES (real or emulated).
    Aws,
    /// Everything in process; nothing to install.
    Memory,
}

/// The app the local stack serves (links in emails point into it).
pub(crate) const LOCAL_APP_URL: &str = "http://127.0.0.1:3000";

/// Configuration, read from the environment once per process.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub table: String,
    pub event_bus: String,
    pub audit_queue_url: Option<String>,
    pub email_queue_url: Option<String>,
    /// The dead-letter queues behind them, watched by the jobs health endpoints.
    pub audit_dlq_url: Option<String>,
    pub email_dlq_url: Option<String>,
    /// `DASHTAM_SYNC_QUEUE_URL`: where the dispatcher sends one message per connection of
    /// a scheduled round, read by the sync worker; and its dead-letter queue
    /// (`DASHTAM_SYNC_DLQ_URL`), watched by the jobs health.
    pub sync_queue_url: Option<String>,
    pub sync_dlq_url: Option<String>,
    pub jwt_secret_id: String,
    pub email_from: String,
    pub api_base_url: String,
    pub app_url: String,
    pub admin_emails: BTreeSet<String>,
    /// Local stack only: emails are also written here as JSON files.
    pub mailbox_dir: Option<PathBuf>,
    /// `DASHTAM_RATE_LIMITS=on|off` (default on).
    pub rate_limits_enabled: bool,
    /// The contract's table, each policy overridable by
    /// `DASHTAM_RATE_LIMIT_<POLICY>=<burst>/<refill per minute>` (e.g. `..._AUTH_LOGIN=10/10`).
    pub rate_limits: Limits,
    /// `DASHTAM_TRUSTED_PROXY_HOPS=N` (default 0): proxies in front of API Gateway (or of
    /// the local stack) whose `X-Forwarded-For` entries are trusted; 0 ignores the header.
    pub trusted_proxy_hops: usize,
    /// Which CAs the AWS clients trust (`DASHTAM_TLS_ROOTS=aws|system`, default aws).
    pub tls_roots: TrustRoots,
    pub providers: ProviderConfig,
    pub imports: ImportConfig,
}

/// Where large imports are uploaded and queued.
#[derive(Debug, Clone, Default)]
pub struct ImportConfig {
    /// `DASHTAM_UPLOADS_BUCKET`: the bucket presigned uploads go to.
    pub uploads_bucket: Option<String>,
    /// `DASHTAM_IMPORT_QUEUE_URL` / `DASHTAM_IMPORT_DLQ_URL`: the upload notifications
    /// and their dead letters, watched by the jobs health endpoints.
    pub queue_url: Option<String>,
    pub dlq_url: Option<String>,
    /// Path-style S3 addressing: on wherever `AWS_ENDPOINT_URL` points at an emulator
    /// (`bucket.127.0.0.1` does not resolve), or with `DASHTAM_S3_PATH_STYLE=on`.
    pub s3_path_style: bool,
    /// `DASHTAM_IMPORT_CLAIM_LEASE_SECONDS` (default 120): how long one import holds the
    /// user's import claim; the template sets the function's timeout.
    pub claim_lease_seconds: i64,
}

/// Where the providers are and where their secrets live. Only the provider functions
/// read the secrets; the others never touch them.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// `DASHTAM_SCHWAB_BASE_URL` (default Schwab's API host).
    pub schwab_base_url: String,
    /// `DASHTAM_ALPACA_BASE_URL` (default Alpaca's paper host).
    pub alpaca_base_url: String,
    /// `DASHTAM_SCHWAB_SECRET_ID`: `{"client_id": …, "client_secret": …}`.
    pub schwab_secret_id: Option<String>,
    /// `DASHTAM_CREDENTIALS_KEY_SECRET_ID`: the key that seals provider credentials.
    pub credentials_key_secret_id: Option<String>,
    /// Schwab sends the browser back here by default: the API's own callback page.
    pub default_redirect_uri: String,
}

/// The real providers' hosts (configuration points tests and the local stack elsewhere).
pub const SCHWAB_API: &str = "https://api.schwabapi.com";
pub const ALPACA_PAPER_API: &str = "https://paper-api.alpaca.markets";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {0} is invalid: {1}")]
    Invalid(&'static str, String),
}

impl Config {
    /// AWS mode from the variables `template.yaml` sets on every function.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(Mode::Aws, |k| std::env::var(k).ok())
    }

    /// In-memory mode: only the optional variables matter.
    pub fn in_memory() -> Result<Self, ConfigError> {
        Self::from_lookup(Mode::Memory, |k| std::env::var(k).ok())
    }

    pub fn from_lookup(
        mode: Mode,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let required = |k: &'static str| match mode {
            Mode::Aws => get(k)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(k)),
            Mode::Memory => Ok(get(k).unwrap_or_else(|| format!("memory-{}", k.to_lowercase()))),
        };
        let rate_limits_enabled = match get("DASHTAM_RATE_LIMITS")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("on" | "true" | "1" | "") => true,
            Some("off" | "false" | "0") => false,
            Some(other) => {
                return Err(ConfigError::Invalid(
                    "DASHTAM_RATE_LIMITS",
                    format!("expected on or off, got {other:?}"),
                ));
            }
        };
        let mut rate_limits = Limits::default();
        for policy in Policy::ALL {
            let var = rate_limit_var(policy);
            if let Some(value) = get(&var).filter(|v| !v.is_empty()) {
                rate_limits.set(
                    policy,
                    parse_limit(&value).map_err(|e| invalid_dynamic(&var, e))?,
                );
            }
        }
        let trusted_proxy_hops = match get("DASHTAM_TRUSTED_PROXY_HOPS").filter(|v| !v.is_empty()) {
            None => 0,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= 10)
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "DASHTAM_TRUSTED_PROXY_HOPS",
                        format!("expected a number from 0 to 10, got {v:?}"),
                    )
                })?,
        };
        let tls_roots = match get("DASHTAM_TLS_ROOTS")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("" | "aws") => TrustRoots::Aws,
            Some("system") => TrustRoots::System,
            Some(other) => {
                return Err(ConfigError::Invalid(
                    "DASHTAM_TLS_ROOTS",
                    format!("expected aws or system, got {other:?}"),
                ));
            }
        };
        let api_base_url =
            get("DASHTAM_API_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        Ok(Self {
            mode,
            tls_roots,
            table: required("DASHTAM_TABLE")?,
            event_bus: required("DASHTAM_EVENT_BUS")?,
            audit_queue_url: get("DASHTAM_AUDIT_QUEUE_URL").filter(|v| !v.is_empty()),
            email_queue_url: get("DASHTAM_EMAIL_QUEUE_URL").filter(|v| !v.is_empty()),
            audit_dlq_url: get("DASHTAM_AUDIT_DLQ_URL").filter(|v| !v.is_empty()),
            email_dlq_url: get("DASHTAM_EMAIL_DLQ_URL").filter(|v| !v.is_empty()),
            sync_queue_url: get("DASHTAM_SYNC_QUEUE_URL").filter(|v| !v.is_empty()),
            sync_dlq_url: get("DASHTAM_SYNC_DLQ_URL").filter(|v| !v.is_empty()),
            jwt_secret_id: required("DASHTAM_JWT_SECRET_ID")?,
            email_from: get("DASHTAM_EMAIL_FROM")
                .unwrap_or_else(|| "no-reply@dashtam.local".into()),
            app_url: get("DASHTAM_APP_URL").unwrap_or_else(|| LOCAL_APP_URL.into()),
            admin_emails: get("DASHTAM_ADMIN_EMAILS")
                .unwrap_or_default()
                .split(',')
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty())
                .collect(),
            mailbox_dir: get("DASHTAM_MAILBOX_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            rate_limits_enabled,
            rate_limits,
            trusted_proxy_hops,
            providers: ProviderConfig {
                schwab_base_url: get("DASHTAM_SCHWAB_BASE_URL")
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| SCHWAB_API.into()),
                alpaca_base_url: get("DASHTAM_ALPACA_BASE_URL")
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| ALPACA_PAPER_API.into()),
                schwab_secret_id: get("DASHTAM_SCHWAB_SECRET_ID").filter(|v| !v.is_empty()),
                credentials_key_secret_id: get("DASHTAM_CREDENTIALS_KEY_SECRET_ID")
                    .filter(|v| !v.is_empty()),
                default_redirect_uri: format!(
                    "{}/oauth/schwab/callback",
                    api_base_url.trim_end_matches('/')
                ),
            },
            imports: ImportConfig {
                uploads_bucket: get("DASHTAM_UPLOADS_BUCKET").filter(|v| !v.is_empty()),
                queue_url: get("DASHTAM_IMPORT_QUEUE_URL").filter(|v| !v.is_empty()),
                dlq_url: get("DASHTAM_IMPORT_DLQ_URL").filter(|v| !v.is_empty()),
                s3_path_style: get("AWS_ENDPOINT_URL").is_some_and(|v| !v.is_empty())
                    || get("DASHTAM_S3_PATH_STYLE").is_some_and(|v| v == "on"),
                claim_lease_seconds: match get("DASHTAM_IMPORT_CLAIM_LEASE_SECONDS")
                    .filter(|v| !v.is_empty())
                {
                    None => 120,
                    Some(v) => v
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=3600).contains(n))
                        .ok_or_else(|| {
                            ConfigError::Invalid(
                                "DASHTAM_IMPORT_CLAIM_LEASE_SECONDS",
                                format!("expected seconds from 1 to 3600, got {v:?}"),
                            )
                        })?,
                },
            },
            api_base_url,
        })
    }
}

/// `DASHTAM_RATE_LIMIT_AUTH_LOGIN` and so on.
pub fn rate_limit_var(policy: Policy) -> String {
    format!("DASHTAM_RATE_LIMIT_{}", policy.name())
}

/// `<burst>/<refill per minute>`, e.g. `5/5`.
fn parse_limit(value: &str) -> Result<Limit, String> {
    let (burst, refill) = value
        .split_once('/')
        .ok_or_else(|| format!("expected <burst>/<refill per minute>, got {value:?}"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("expected <burst>/<refill per minute>, got {value:?}"))
    };
    Limit::new(number(burst)?, number(refill)?).map_err(|e| e.to_string())
}

/// The variable names of per-policy overrides are built at run time; the error keeps it.
fn invalid_dynamic(var: &str, message: String) -> ConfigError {
    ConfigError::Invalid("DASHTAM_RATE_LIMIT_<POLICY>", format!("{var}: {message}"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn aws_mode_names_the_missing_variable() {
        let err = Config::from_lookup(Mode::Aws, lookup(&[("DASHTAM_TABLE", "t")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable DASHTAM_EVENT_BUS is required"
        );
    }

    #[test]
    fn admin_emails_are_normalised_and_rate_limits_parse() {
        let c = Config::from_lookup(
            Mode::Memory,
            lookup(&[
                ("DASHTAM_ADMIN_EMAILS", " Root@X.io, ,b@y.io"),
                ("DASHTAM_RATE_LIMITS", "off"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.admin_emails,
            BTreeSet::from(["root@x.io".to_owned(), "b@y.io".to_owned()])
        );
        assert!(!c.rate_limits_enabled);
        assert!(
            Config::from_lookup(Mode::Memory, lookup(&[("DASHTAM_RATE_LIMITS", "maybe")])).is_err()
        );
        assert!(
            Config::from_lookup(Mode::Memory, lookup(&[]))
                .unwrap()
                .rate_limits_enabled,
            "on by default"
        );
    }

    #[test]
    fn rate_limits_default_to_the_contract_and_can_be_overridden() {
        let c = Config::from_lookup(Mode::Memory, lookup(&[])).unwrap();
        assert_eq!(c.rate_limits, Limits::default());
        assert_eq!(c.trusted_proxy_hops, 0);

        let c = Config::from_lookup(
            Mode::Memory,
            lookup(&[
                ("DASHTAM_RATE_LIMIT_AUTH_LOGIN", "10 / 20"),
                ("DASHTAM_TRUSTED_PROXY_HOPS", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.rate_limits.get(Policy::AuthLogin),
            Limit::new(10, 20).unwrap()
        );
        assert_eq!(
            c.rate_limits.get(Policy::ApiRead),
            Policy::ApiRead.default_limit()
        );
        assert_eq!(c.trusted_proxy_hops, 2);

        for (var, value) in [
            ("DASHTAM_RATE_LIMIT_API_READ", "100"),
            ("DASHTAM_RATE_LIMIT_API_READ", "0/5"),
            ("DASHTAM_RATE_LIMIT_API_READ", "a/b"),
            ("DASHTAM_TRUSTED_PROXY_HOPS", "-1"),
            ("DASHTAM_TRUSTED_PROXY_HOPS", "99"),
        ] {
            let err = Config::from_lookup(Mode::Memory, lookup(&[(var, value)])).unwrap_err();
            assert!(err.to_string().contains("invalid"), "{var}={value}: {err}");
        }
    }
}
