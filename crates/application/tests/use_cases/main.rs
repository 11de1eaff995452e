//! Application layer: use cases, consumers and jobs over the in-memory adapters, as
//! one test binary (one link instead of one per file).

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod consumers;
mod identity;
mod jobs;
mod roles;
mod support;
