//! Random opaque tokens (refresh tokens, one-time email tokens) and their SHA-256 hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dashtam_domain::identity::ports::{IssuedToken, OpaqueTokens};
use dashtam_domain::identity::value_objects::TokenHash;
use rand::rngs::OsRng;
use rand::{RngCore as _, TryRngCore as _};
use sha2::{Digest as _, Sha256};

/// `N` bytes from the operating system's RNG. Should the OS RNG ever fail, falls back to
/// the thread-local CSPRNG (ChaCha12, itself seeded from the OS) rather than panicking.
pub(crate) fn os_random<const N: usize>() -> [u8; N] {
    let mut buf = [0_u8; N];
    if OsRng.try_fill_bytes(&mut buf).is_err() {
        rand::rng().fill_bytes(&mut buf);
    }
    buf
}

/// SHA-256 of the UTF-8 bytes, lower-case hex.
pub(crate) fn sha256_hex(plaintext: &str) -> String {
    hex::encode(Sha256::digest(plaintext.as_bytes()))
}

/// Refresh tokens: 32 bytes from the OS RNG, URL-safe base64 without padding (43 chars).
/// Email tokens: 32 bytes as 64 lower-case hex characters.
/// Hash: SHA-256 hex of the plaintext, which is also the storage key.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomOpaqueTokens;

impl RandomOpaqueTokens {
    pub fn new() -> Self {
        Self
    }

    fn issue(&self, plaintext: String) -> IssuedToken {
        let hash = self.hash(&plaintext);
        IssuedToken { plaintext, hash }
    }
}

impl OpaqueTokens for RandomOpaqueTokens {
    fn refresh_token(&self) -> IssuedToken {
        self.issue(URL_SAFE_NO_PAD.encode(os_random::<32>()))
    }

    fn hex_token(&self) -> IssuedToken {
        self.issue(hex::encode(os_random::<32>()))
    }

    fn hash(&self, plaintext: &str) -> TokenHash {
        TokenHash::from_hex(sha256_hex(plaintext))
    }
}
