//! End to end: the `dashtam-local` binary against a freshly provisioned emulated AWS
//! (moto), used over HTTP the way a client would. One test binary, by topic.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod admin;
mod finance;
mod identity;
mod imports;
mod jobs;
mod live;
mod rate_limits;
mod relay;
mod scheduled;
mod support;
