use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
#[error("email delivery failed: {0}")]
pub struct EmailError(pub String);

#[async_trait]
pub trait EmailSender: Send + Sync {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError>;
}

/// Turns an email-bearing event into subject, text and HTML (links point at the app URL).
/// `token` is the one-time token of a verification or reset email, and for a new-device
/// alert the description of the device.
pub trait EmailComposer: Send + Sync {
    fn compose(
        &self,
        kind: crate::platform::events::EmailKind,
        to: &str,
        token: Option<&str>,
    ) -> (String, String, String);
}
