//! The sandbox over HTTP, as the provider clients will use it: one test binary.

mod alpaca;
mod common;
mod schwab_oauth;
mod schwab_trader;
