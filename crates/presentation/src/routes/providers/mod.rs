//! Providers: the catalogue, connections (OAuth and API keys), the OAuth callbacks and
//! token refreshes.

pub mod callback;
pub mod connections;
