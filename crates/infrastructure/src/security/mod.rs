//! Security adapters: argon2id password hashing, HS256 access tokens, opaque tokens and
//! device labels, and the AES-256-GCM cipher for provider credentials.

mod cipher;
mod cursor;
mod device;
mod jwt;
mod opaque;
mod password;

pub use cipher::{AesGcmCipher, CREDENTIALS_KEY_SECRET_ENV};
pub use cursor::HmacCursorSealer;
pub use device::WootheeDeviceDetector;
pub use jwt::{JwtAccessTokens, KeyError, MIN_KEY_BYTES, SigningKeySource, StaticSigningKey};
pub use opaque::RandomOpaqueTokens;
pub use password::Argon2Hasher;
