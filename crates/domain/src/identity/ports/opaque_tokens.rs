use crate::identity::value_objects::TokenHash;

/// A freshly minted opaque token: the plaintext goes to the client once, the hash is kept.
#[derive(Clone)]
pub struct IssuedToken {
    pub plaintext: String,
    pub hash: TokenHash,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Random tokens and their SHA-256 hashes.
pub trait OpaqueTokens: Send + Sync {
    /// A refresh token: 32 random bytes, URL-safe base64.
    fn refresh_token(&self) -> IssuedToken;

    /// A one-time email token: 32 random bytes as 64 lower-case hex characters.
    fn hex_token(&self) -> IssuedToken;

    fn hash(&self, plaintext: &str) -> TokenHash;
}
