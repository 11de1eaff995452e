//! Alpaca: the Trading API (`/v2/account`, `/v2/positions`, `/v2/account/activities`)
//! with API keys ([`AlpacaClient`]).

mod client;
mod config;
mod map;
mod wire;

pub use client::AlpacaClient;
pub use config::{ALPACA_LIVE_URL, ALPACA_PAPER_URL, AlpacaConfig};
