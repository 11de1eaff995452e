use std::{collections::BTreeSet, path::PathBuf};

use crate::TrustRoots;

/// Where state lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// DynamoDB, EventBridge, SQS, Secrets Manager, SES (real or emulated).
    Aws,
    /// Everything in process; nothing to install.
    Memory,
}

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
    pub jwt_secret_id: String,
    pub email_from: String,
    pub api_base_url: String,
    pub app_url: String,
    pub admin_emails: BTreeSet<String>,
    /// Local stack only: emails are also written here as JSON files.
    pub mailbox_dir: Option<PathBuf>,
    pub rate_limits_enabled: bool,
    /// Which CAs the AWS clients trust (`DASHTAM_TLS_ROOTS=aws|system`, default aws).
    pub tls_roots: TrustRoots,
}

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
        Ok(Self {
            mode,
            tls_roots,
            table: required("DASHTAM_TABLE")?,
            event_bus: required("DASHTAM_EVENT_BUS")?,
            audit_queue_url: get("DASHTAM_AUDIT_QUEUE_URL").filter(|v| !v.is_empty()),
            email_queue_url: get("DASHTAM_EMAIL_QUEUE_URL").filter(|v| !v.is_empty()),
            audit_dlq_url: get("DASHTAM_AUDIT_DLQ_URL").filter(|v| !v.is_empty()),
            email_dlq_url: get("DASHTAM_EMAIL_DLQ_URL").filter(|v| !v.is_empty()),
            jwt_secret_id: required("DASHTAM_JWT_SECRET_ID")?,
            email_from: get("DASHTAM_EMAIL_FROM")
                .unwrap_or_else(|| "no-reply@dashtam.local".into()),
            api_base_url: get("DASHTAM_API_BASE_URL")
                .unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            app_url: get("DASHTAM_APP_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
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
        })
    }
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
    }
}
