//! Signed pagination cursors: `base64url(payload) "." base64url(tag)`, where
//! `tag = HMAC-SHA256(cursor_key, SHA-256(scope) || payload)`.
//!
//! The cursor key is derived from the JWT signing secret (Secrets Manager) with a
//! domain-separation label, `cursor_key = HMAC-SHA256(secret, "dashtam/cursor/v1")`, so no
//! second secret has to be provisioned and a cursor tag can never double as a token
//! signature. Rotating the JWT secret invalidates outstanding cursors (they answer 400;
//! the client starts again from the first page).

use std::sync::Arc;

use async_trait::async_trait;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use dashtam_core::ExposeSecret as _;
use dashtam_domain::platform::ports::CursorSealer;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::SigningKeySource;

type HmacSha256 = Hmac<Sha256>;

const LABEL: &[u8] = b"dashtam/cursor/v1";
/// Longer tokens are refused before any decoding (cheap rejection of garbage).
const MAX_TOKEN_LEN: usize = 2048;

pub struct HmacCursorSealer {
    source: Arc<dyn SigningKeySource>,
    key: OnceCell<Vec<u8>>,
}

impl std::fmt::Debug for HmacCursorSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacCursorSealer")
            .field("key_loaded", &self.key.initialized())
            .finish_non_exhaustive()
    }
}

impl HmacCursorSealer {
    /// No I/O here: the secret is read on the first seal or open.
    pub fn new(source: Arc<dyn SigningKeySource>) -> Self {
        Self {
            source,
            key: OnceCell::new(),
        }
    }

    async fn mac(&self) -> Result<HmacSha256, String> {
        let key = self
            .key
            .get_or_try_init(|| async {
                let secret = self.source.signing_key().await?;
                let mut derive = HmacSha256::new_from_slice(secret.expose_secret().as_bytes())
                    .map_err(|_| "cursor key: unusable secret".to_owned())?;
                derive.update(LABEL);
                Ok::<_, String>(derive.finalize().into_bytes().to_vec())
            })
            .await?;
        HmacSha256::new_from_slice(key).map_err(|_| "cursor key: unusable key".to_owned())
    }

    async fn tagger(&self, scope: &str, payload: &[u8]) -> Result<HmacSha256, String> {
        let mut mac = self.mac().await?;
        mac.update(&Sha256::digest(scope.as_bytes()));
        mac.update(payload);
        Ok(mac)
    }
}

#[async_trait]
impl CursorSealer for HmacCursorSealer {
    async fn seal(&self, scope: &str, payload: &[u8]) -> Result<String, String> {
        let tag = self.tagger(scope, payload).await?.finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    async fn open(&self, scope: &str, token: &str) -> Result<Option<Vec<u8>>, String> {
        if token.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        let Some((payload, tag)) = token.split_once('.') else {
            return Ok(None);
        };
        let (Ok(payload), Ok(tag)) = (URL_SAFE_NO_PAD.decode(payload), URL_SAFE_NO_PAD.decode(tag))
        else {
            return Ok(None);
        };
        // Constant-time comparison.
        let valid = self
            .tagger(scope, &payload)
            .await?
            .verify_slice(&tag)
            .is_ok();
        Ok(valid.then_some(payload))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::security::StaticSigningKey;

    fn sealer(key: &str) -> HmacCursorSealer {
        HmacCursorSealer::new(Arc::new(StaticSigningKey::new(key)))
    }

    #[tokio::test]
    async fn round_trips_within_its_scope_only() {
        let s = sealer(&"k".repeat(64));
        let token = s.seal("scope-a", b"{\"at\":1}").await.unwrap();
        assert_eq!(
            s.open("scope-a", &token).await.unwrap().as_deref(),
            Some(&b"{\"at\":1}"[..])
        );
        assert_eq!(s.open("scope-b", &token).await.unwrap(), None);
        assert_eq!(
            sealer(&"j".repeat(64))
                .open("scope-a", &token)
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn tampering_and_garbage_are_refused() {
        let s = sealer(&"k".repeat(64));
        let token = s.seal("q", b"position-1").await.unwrap();
        let (_, tag) = token.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(b"position-2"));
        assert_eq!(s.open("q", &forged).await.unwrap(), None);
        for junk in ["", ".", "abc", "a.b.c", "!!!.???", &"x".repeat(5000)] {
            assert_eq!(s.open("q", junk).await.unwrap(), None, "{junk:?}");
        }
    }

    #[tokio::test]
    async fn the_tag_is_not_a_plain_hmac_with_the_jwt_secret() {
        let secret = "k".repeat(64);
        let token = sealer(&secret).seal("q", b"p").await.unwrap();
        let mut plain = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
        plain.update(&Sha256::digest(b"q"));
        plain.update(b"p");
        let plain = URL_SAFE_NO_PAD.encode(plain.finalize().into_bytes());
        assert!(!token.ends_with(&plain));
    }
}
