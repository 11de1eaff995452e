//! Domain events and their registry.
//!
//! [`catalog`] declares every event once: its payload *and* its metadata (category,
//! workflow, phase, consumers). Nothing else lists events, so a new event cannot be
//! published without being registered.

mod catalog;
mod envelope;
mod registry;

pub use catalog::{EventPayload, REGISTRY, lookup};
pub use envelope::{DomainEvent, EventContext};
pub use registry::{Category, EmailKind, EventMeta, Phase, StreamCategory};
