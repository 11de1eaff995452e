//! Platform: domain events and their registry, rate limits, the audit trail,
//! scheduled jobs, the outbox and the live feed.

pub mod entities;
pub mod events;
pub mod ports;
pub mod rate_limit;
