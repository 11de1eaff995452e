//! Ports: the traits the application needs and the adapters implement.
//!
//! Every port has an in-memory adapter with the same semantics (uniqueness, conditional
//! writes, expiry) and a production adapter (DynamoDB, Secrets Manager, EventBridge, SES).

mod access_tokens;
mod device_detector;
mod one_time_token_repository;
mod opaque_tokens;
mod password_hasher;
mod security_config_repository;
mod session_expiry_notices;
mod session_repository;
mod user_repository;

pub use access_tokens::{AccessClaims, AccessTokenError, AccessTokenService};
pub use device_detector::DeviceDetector;
pub use one_time_token_repository::OneTimeTokenRepository;
pub use opaque_tokens::{IssuedToken, OpaqueTokens};
pub use password_hasher::{HashError, PasswordHasher};
pub use security_config_repository::SecurityConfigRepository;
pub use session_expiry_notices::SessionExpiryNotices;
pub use session_repository::{EventsForCount, RefreshRotation, SessionRepository};
pub use user_repository::UserRepository;
