//! Security adapters: argon2id password hashing, HS256 access tokens, opaque tokens and
//! device labels.

mod cursor;
mod device;
mod jwt;
mod opaque;
mod password;

pub use cursor::HmacCursorSealer;
pub use device::WootheeDeviceDetector;
pub use jwt::{JwtAccessTokens, KeyError, MIN_KEY_BYTES, SigningKeySource, StaticSigningKey};
pub use opaque::RandomOpaqueTokens;
pub use password::Argon2Hasher;
