//! Provider adapters: the Schwab OAuth + Trader API and the Alpaca Trading API over one
//! shared HTTP layer, mapping the real wire formats (providers.md §1–2) into the domain.

pub mod alpaca;
mod decimal;
pub mod http;
pub mod schwab;

pub use http::{RetryPolicy, Timeouts};
