//! The in-memory product (`dashtam-local --in-memory`, the warm benchmark, tests).

use std::sync::Arc;

use dashtam_application::Ports;
use dashtam_domain::{
    identity::ports::OpaqueTokens,
    platform::{events::DomainEvent, ports::EmailSender},
};
use dashtam_infrastructure::{
    email::MailboxEmailSender,
    memory::{ChannelPublisher, InProcessQueue, MemoryMailbox, MemoryStore},
    security::{HmacCursorSealer, JwtAccessTokens, RandomOpaqueTokens, StaticSigningKey},
};
use tokio::sync::mpsc::UnboundedReceiver;

use super::{
    assemble,
    identity::{ACCESS_TOKEN_TTL_SECONDS, Identity},
    platform::Platform,
};
use crate::Config;

/// The in-memory product: its ports, the store (whose outbox the in-process relay
/// drains), the receiving end of the bus the relay publishes to, and the queue metrics
/// of this mode (in-process consumers report their progress to it).
pub struct InMemory {
    pub ports: Ports,
    pub store: Arc<MemoryStore>,
    pub published: UnboundedReceiver<DomainEvent>,
    pub queue: Arc<InProcessQueue>,
}

/// Ports in memory. The JWT key is random per process unless `DASHTAM_JWT_SIGNING_KEY`
/// is set.
pub fn memory_ports(config: &Config) -> InMemory {
    let store = Arc::new(MemoryStore::new());
    let (publisher, rx) = ChannelPublisher::new();
    let queue = InProcessQueue::new();
    let key = std::env::var("DASHTAM_JWT_SIGNING_KEY")
        .unwrap_or_else(|_| RandomOpaqueTokens::new().hex_token().plaintext);
    let email: Arc<dyn EmailSender> = match &config.mailbox_dir {
        Some(dir) => Arc::new(MailboxEmailSender::new(dir.clone())),
        None => Arc::new(MemoryMailbox::default()),
    };
    let access_tokens = Arc::new(JwtAccessTokens::with_fixed_key(
        key.clone(),
        ACCESS_TOKEN_TTL_SECONDS,
    ));
    let cursors = Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(key))));
    let ports = assemble(
        config,
        Identity::in_memory(&store, access_tokens),
        Platform::in_memory(
            &store,
            queue.clone(),
            cursors,
            Arc::new(queue.counting(Arc::new(publisher))),
            email,
        ),
    );
    InMemory {
        ports,
        store,
        published: rx,
        queue,
    }
}
