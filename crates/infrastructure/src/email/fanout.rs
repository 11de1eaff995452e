//! Sends every message through several senders (local mode: SES and the mailbox).

use std::sync::Arc;

use async_trait::async_trait;
use dashtam_domain::platform::ports::{EmailError, EmailMessage, EmailSender};

/// Sends to all senders concurrently; fails if any fails (naming every failure), so the
/// consumer retries the message. Senders that succeeded may then see it again: the
/// email consumer deduplicates by event id before sending.
#[derive(Clone, Default)]
pub struct FanoutEmailSender(pub Vec<Arc<dyn EmailSender>>);

impl FanoutEmailSender {
    pub fn new(senders: Vec<Arc<dyn EmailSender>>) -> Self {
        Self(senders)
    }
}

impl std::fmt::Debug for FanoutEmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FanoutEmailSender")
            .field(&format_args!("{} senders", self.0.len()))
            .finish()
    }
}

#[async_trait]
impl EmailSender for FanoutEmailSender {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        let results = futures::future::join_all(self.0.iter().map(|s| s.send(message))).await;
        let errors: Vec<String> = results
            .into_iter()
            .filter_map(|r| r.err().map(|e| e.0))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(EmailError(errors.join("; ")))
        }
    }
}
