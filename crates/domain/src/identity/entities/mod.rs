mod one_time_token;
mod permission;
mod refresh_token;
mod role;
mod security_config;
mod session;
mod session_tier;
mod user;

pub use one_time_token::{OneTimeToken, OneTimeTokenKind};
pub use permission::Permission;
pub use refresh_token::RefreshToken;
pub use role::Role;
pub use security_config::SecurityConfig;
pub use session::Session;
pub use session_tier::SessionTier;
pub use user::{LoginRefusal, User};
