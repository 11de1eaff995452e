//! Presentation's HTTP tests, one binary: the routers in process over the in-memory
//! adapters, driven through HTTP only (`support`).

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod admin_audit;
mod contract;
mod events;
mod identity;
mod imports;
mod jobs;
mod portfolio_overview;
mod rate_limits;
mod roles;
mod store_faults;
mod support;
