use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

use async_trait::async_trait;
use dashtam_domain::platform::{
    events::DomainEvent,
    ports::{EventPublisher, PublishError},
};
use tokio::sync::mpsc;

/// In-memory mode's bus: events go to a channel that in-process consumers drain.
pub struct ChannelPublisher(mpsc::UnboundedSender<DomainEvent>);

impl ChannelPublisher {
    pub fn new() -> (Self, mpsc::UnboundedReceiver<DomainEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self(tx), rx)
    }
}

#[async_trait]
impl EventPublisher for ChannelPublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        for e in events {
            self.0
                .send(e.clone())
                .map_err(|_| PublishError("in-process consumers stopped".into()))?;
        }
        Ok(())
    }
}

/// Keeps what was published, for tests; can be told to fail.
#[derive(Default)]
pub struct RecordingPublisher {
    events: Mutex<Vec<DomainEvent>>,
    failing: AtomicBool,
}

impl RecordingPublisher {
    pub fn events(&self) -> Vec<DomainEvent> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.events().iter().map(DomainEvent::name).collect()
    }

    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

#[async_trait]
impl EventPublisher for RecordingPublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(PublishError("injected failure".into()));
        }
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(events);
        Ok(())
    }
}
