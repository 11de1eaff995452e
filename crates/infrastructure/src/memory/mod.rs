//! In-memory twins of every port, with the production semantics (uniqueness, single use,
//! optimistic locking, conditional revocation). Used by unit tests and `--in-memory` mode.

mod email;
mod jobs;
mod publisher;
mod rate_limits;
mod store;

pub use email::MemoryMailbox;
pub use jobs::InProcessQueue;
pub use publisher::{ChannelPublisher, RecordingPublisher};
pub use rate_limits::MemoryRateLimits;
pub use store::MemoryStore;
