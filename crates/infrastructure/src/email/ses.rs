//! [`EmailSender`] over SES v2 SendEmail.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use dashtam_domain::platform::ports::{EmailError, EmailMessage, EmailSender};

use crate::messaging::aws_error::summary;

const CHARSET: &str = "UTF-8";

/// Sends simple (subject + text + HTML, UTF-8) emails from a verified identity.
#[derive(Debug, Clone)]
pub struct SesEmailSender {
    client: Client,
    from: String,
}

impl SesEmailSender {
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }
}

fn content(data: &str) -> Result<Content, EmailError> {
    Content::builder()
        .data(data)
        .charset(CHARSET)
        .build()
        .map_err(|e| EmailError(e.to_string()))
}

#[async_trait]
impl EmailSender for SesEmailSender {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        let simple = Message::builder()
            .subject(content(&message.subject)?)
            .body(
                Body::builder()
                    .text(content(&message.text)?)
                    .html(content(&message.html)?)
                    .build(),
            )
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&message.to).build())
            .content(EmailContent::builder().simple(simple).build())
            .send()
            .await
            .map_err(|e| EmailError(format!("SES SendEmail failed: {}", summary(&e))))?;
        tracing::debug!(
            message_id = out.message_id().unwrap_or(""),
            "email sent via SES"
        );
        Ok(())
    }
}
