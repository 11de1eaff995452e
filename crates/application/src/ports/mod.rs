//! What a use case may reach, bundled by context. Each bundle is built by one constructor
//! per mode in the composition root, or [`unwired`](IdentityPorts::unwired) where a function
//! does not use that context.

mod identity;
mod imports;
mod platform;
mod portfolio;
mod providers;
mod unwired;
mod unwired_financial;

use std::sync::Arc;

use dashtam_core::Clock;

pub use identity::{IdentityPorts, IdentitySettings};
pub use imports::{ImportPorts, ImportSettings};
pub use platform::PlatformPorts;
pub use portfolio::PortfolioPorts;
pub use providers::{ProviderPorts, ProviderSettings};
pub use unwired::Unwired;

/// Everything a use case may reach. Built once per process by the composition root.
#[derive(Clone)]
pub struct Ports {
    pub identity: IdentityPorts,
    pub platform: PlatformPorts,
    pub providers: ProviderPorts,
    pub portfolio: PortfolioPorts,
    pub imports: ImportPorts,
    /// The one clock of the process, shared by every context.
    pub clock: Arc<dyn Clock>,
}
