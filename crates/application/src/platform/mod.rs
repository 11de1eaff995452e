//! Platform use cases: the outbox relay and the event consumers (audit, email), the
//! scheduled jobs and their health, the audit trail, and the services the HTTP layer
//! needs (the live feed a stream follows, the rate limiter's buckets).

pub mod consumers;
pub mod jobs;
pub mod queries;

mod live_feed;
mod rate_limits;

pub use live_feed::{LOOKBACK_MS, PAGE, ReadLiveFeed};
pub use rate_limits::TakeRateLimit;
