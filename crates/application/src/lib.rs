//! Use cases: one command or query per file, each executed against [`Ports`].
//!
//! A use case reads and writes through ports, emits its ATTEMPTED/SUCCEEDED/FAILED events,
//! and answers with a DTO or an [`AppError`]; it never knows about HTTP or AWS.

pub mod dto;
mod error;
mod event_batch;
pub mod identity;
pub mod imports;
pub mod platform;
pub mod portfolio;
mod ports;
mod principal;
pub mod providers;
mod retry;

pub use error::AppError;
pub use event_batch::EventBatch;
pub use ports::{
    IdentityPorts, IdentitySettings, ImportPorts, ImportSettings, PlatformPorts, PortfolioPorts,
    Ports, ProviderPorts, ProviderSettings, Unwired,
};
pub use principal::Principal;
