//! The sandbox over HTTP, as the provider clients will use it: one test binary.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

mod alpaca;
mod common;
mod schwab_faults;
mod schwab_oauth;
mod schwab_trader;
