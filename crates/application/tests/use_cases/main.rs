//! Application layer: use cases, consumers and jobs over the in-memory adapters, as
//! one test binary (one link instead of one per file).

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod brokerage;
mod connections;
mod consumers;
mod finance;
mod identity;
mod imports;
mod jobs;
mod net_worth;
mod roles;
mod scheduled;
mod support;
mod syncs;
mod token_care;
