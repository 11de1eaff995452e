//! The platform context's services for the HTTP layer: the live feed a stream follows,
//! the rate limiter's buckets. (Jobs, the outbox relay and the audit trail live beside
//! them in `jobs/`, `reactions/` and `queries/`.)

mod live_feed;
mod rate_limits;

pub use live_feed::{LOOKBACK_MS, PAGE, ReadLiveFeed};
pub use rate_limits::TakeRateLimit;
