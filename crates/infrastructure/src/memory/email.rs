use std::sync::Mutex;

use async_trait::async_trait;
use dashtam_domain::platform::{
    events::EmailKind,
    ports::{EmailComposer, EmailError, EmailMessage, EmailSender},
};

/// Keeps sent emails in memory, for tests.
#[derive(Default)]
pub struct MemoryMailbox(Mutex<Vec<EmailMessage>>);

impl MemoryMailbox {
    /// Messages to `to`, newest first.
    pub fn messages_to(&self, to: &str) -> Vec<EmailMessage> {
        let all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.iter().rev().filter(|m| m.to == to).cloned().collect()
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[async_trait]
impl EmailSender for MemoryMailbox {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(message.clone());
        Ok(())
    }
}

/// Plain-text emails that name their kind, recipient and token, for tests that read the
/// token back from the mailbox.
pub struct PlainComposer;

impl EmailComposer for PlainComposer {
    fn compose(&self, kind: EmailKind, to: &str, token: Option<&str>) -> (String, String, String) {
        let text = format!("{kind:?} for {to}: {}", token.unwrap_or("-"));
        (format!("{kind:?}"), text.clone(), text)
    }
}
