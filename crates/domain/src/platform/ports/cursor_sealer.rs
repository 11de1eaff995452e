use async_trait::async_trait;

/// Seals pagination cursors so that clients can hold them but not forge or alter them,
/// nor reuse them for another query: `scope` (the query's filters) is bound into the
/// signature without being carried in the token. The key comes from the secret store;
/// errors never contain it.
#[async_trait]
pub trait CursorSealer: Send + Sync {
    /// An opaque, URL-safe token carrying `payload`, signed over `scope` and `payload`.
    async fn seal(&self, scope: &str, payload: &[u8]) -> Result<String, String>;

    /// The payload of a token this sealer made for the same `scope`; `Ok(None)` for
    /// anything else (malformed, tampered, another scope, another key).
    async fn open(&self, scope: &str, token: &str) -> Result<Option<Vec<u8>>, String>;
}
