//! In-memory twins of every port, with the production semantics (uniqueness, single use,
//! optimistic locking, conditional revocation). Used by unit tests and `--in-memory` mode.

//!
//! One file per aggregate (`users`, `tokens`, `sessions`, `security_config`, `audit`,
//! `processed`, `outbox`, `jobs`, `providers`, `portfolio`, `transactions`) over the one
//! shared state in `store`.

mod audit;
mod email;
mod imports;
mod jobs;
mod outbox;
mod portfolio;
mod processed;
mod providers;
mod publisher;
mod rate_limits;
mod security_config;
mod sessions;
mod store;
mod sync_queue;
mod tokens;
mod transactions;
mod users;

pub use email::{MemoryMailbox, PlainComposer};
pub use imports::MemoryUploads;
pub use jobs::InProcessQueue;
pub use publisher::{ChannelPublisher, RecordingPublisher};
pub use rate_limits::MemoryRateLimits;
pub use store::MemoryStore;
pub use sync_queue::{MemorySyncQueue, QueueMetricsSet};
