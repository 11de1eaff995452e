//! AES-256-GCM for provider credentials at rest.
//!
//! Blob: `"DC"` · format `1` · key version (u32, big-endian) · 96-bit random nonce ·
//! ciphertext + 128-bit tag. The first 7 bytes (magic, format, key version) are the AAD,
//! so a blob cannot be relabelled to another key version. The current key seals; any
//! known version opens, so the key can be rotated by adding a version and making it
//! current. Anything that does not open cleanly is `Unreadable`, never garbage.

use std::collections::BTreeMap;

use aes_gcm::{
    Aes256Gcm, KeyInit as _, Nonce,
    aead::{Aead as _, Payload},
};
use base64::Engine as _;
use dashtam_core::{ExposeSecret as _, SecretString};
use dashtam_domain::providers::{CipherError, CredentialCipher, Credentials, SealedCredentials};
use rand::RngCore as _;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::secrets::SecretsManagerSource;

/// The environment variable naming the Secrets Manager secret that holds the keys
/// (`dashtam/${Env}/credentials-key` in template.yaml).
pub const CREDENTIALS_KEY_SECRET_ENV: &str = "DASHTAM_CREDENTIALS_KEY_SECRET_ID";

const MAGIC: [u8; 2] = *b"DC";
const FORMAT: u8 = 1;
const HEADER: usize = MAGIC.len() + 1 + 4;
const NONCE: usize = 12;
const TAG: usize = 16;
/// A generated passphrase (CloudFormation's GenerateSecretString, alphanumeric) must be
/// at least this long to stand in for a random 256-bit key.
const MIN_PASSPHRASE: usize = 64;

/// [`CredentialCipher`] over AES-256-GCM with versioned keys. `Debug` shows versions only.
pub struct AesGcmCipher {
    current: u32,
    keys: BTreeMap<u32, Aes256Gcm>,
}

impl std::fmt::Debug for AesGcmCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AesGcmCipher")
            .field("current", &self.current)
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn unavailable(why: &str) -> CipherError {
    CipherError::KeyUnavailable(format!("credential key: {why}"))
}

impl AesGcmCipher {
    /// `current` must be among `keys`.
    pub fn new(
        current: u32,
        keys: impl IntoIterator<Item = (u32, [u8; 32])>,
    ) -> Result<Self, CipherError> {
        let keys: BTreeMap<u32, Aes256Gcm> = keys
            .into_iter()
            .map(|(v, k)| (v, Aes256Gcm::new(&k.into())))
            .collect();
        if !keys.contains_key(&current) {
            return Err(unavailable("the current version has no key"));
        }
        Ok(Self { current, keys })
    }

    /// From the secret's value, one of
    /// - `{"current": 2, "keys": {"1": K, "2": K}}` (rotation: add a key, raise `current`);
    /// - `{"current": 1, "key": K}` (what template.yaml's GenerateSecretString makes);
    /// - `K` alone, as version 1;
    ///
    /// where `K` is base64 of 32 bytes, or a generated alphanumeric passphrase of at least
    /// 64 characters (hashed into a key). Errors never quote the secret.
    pub fn from_secret(secret: &SecretString) -> Result<Self, CipherError> {
        #[derive(Deserialize)]
        struct Versioned {
            current: u32,
            #[serde(default)]
            keys: BTreeMap<String, SecretString>,
            #[serde(default)]
            key: Option<SecretString>,
        }
        let text = secret.expose_secret().trim();
        if !text.starts_with('{') {
            return Self::new(1, [(1, key_material(text)?)]);
        }
        let v: Versioned = serde_json::from_str(text).map_err(|_| {
            unavailable("not JSON {\"current\": n, \"keys\": {\"n\": key}} or {\"current\": n, \"key\": key}")
        })?;
        let mut keys = Vec::with_capacity(v.keys.len() + 1);
        for (version, key) in &v.keys {
            let version: u32 = version
                .parse()
                .map_err(|_| unavailable("a key version is not a number"))?;
            keys.push((version, key_material(key.expose_secret())?));
        }
        if let Some(key) = &v.key {
            keys.push((v.current, key_material(key.expose_secret())?));
        }
        Self::new(v.current, keys)
    }

    /// Reads the secret (once; the source caches it) and builds the cipher: for the
    /// composition root, at cold start.
    pub async fn from_secrets_manager(source: &SecretsManagerSource) -> Result<Self, CipherError> {
        let secret = source.get().await.map_err(CipherError::KeyUnavailable)?;
        Self::from_secret(&secret)
    }

    pub fn current_version(&self) -> u32 {
        self.current
    }

    fn header(version: u32) -> [u8; HEADER] {
        let mut h = [0u8; HEADER];
        h[..2].copy_from_slice(&MAGIC);
        h[2] = FORMAT;
        h[3..].copy_from_slice(&version.to_be_bytes());
        h
    }
}

/// A key as the secret writes it (see [`AesGcmCipher::from_secret`]).
fn key_material(text: &str) -> Result<[u8; 32], CipherError> {
    decode_key(text)
        .or_else(|| passphrase_key(text))
        .ok_or_else(|| {
            unavailable("a key is neither base64 of 32 bytes nor a 64+ character passphrase")
        })
}

fn decode_key(text: &str) -> Option<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    bytes.try_into().ok()
}

fn passphrase_key(text: &str) -> Option<[u8; 32]> {
    if text.len() < MIN_PASSPHRASE || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut h = Sha256::new();
    h.update(b"dashtam credential key v1\0");
    h.update(text.as_bytes());
    Some(h.finalize().into())
}

impl CredentialCipher for AesGcmCipher {
    fn seal(&self, credentials: &Credentials) -> Result<SealedCredentials, CipherError> {
        let key = self
            .keys
            .get(&self.current)
            .ok_or_else(|| unavailable("the current version has no key"))?;
        let mut plaintext = serde_json::to_vec(credentials)
            .map_err(|_| unavailable("credentials could not be serialised"))?;
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let header = Self::header(self.current);
        let sealed = key.encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: &header,
            },
        );
        // The clear text does not outlive the call.
        plaintext.fill(0);
        let ciphertext = sealed.map_err(|_| unavailable("encryption failed"))?;
        let mut blob = Vec::with_capacity(HEADER + NONCE + ciphertext.len());
        blob.extend_from_slice(&header);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(SealedCredentials(blob))
    }

    fn open(&self, sealed: &SealedCredentials) -> Result<Credentials, CipherError> {
        let blob = &sealed.0;
        if blob.len() < HEADER + NONCE + TAG {
            return Err(CipherError::Unreadable("truncated"));
        }
        let (header, rest) = blob.split_at(HEADER);
        if header[..2] != MAGIC || header[2] != FORMAT {
            return Err(CipherError::Unreadable("not a sealed-credentials blob"));
        }
        let mut version = [0u8; 4];
        version.copy_from_slice(&header[3..]);
        let key = self
            .keys
            .get(&u32::from_be_bytes(version))
            .ok_or(CipherError::Unreadable(
                "sealed under an unknown key version",
            ))?;
        let (nonce, ciphertext) = rest.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce
            .try_into()
            .map_err(|_| CipherError::Unreadable("truncated"))?;
        let mut plaintext = key
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: header,
                },
            )
            .map_err(|_| CipherError::Unreadable("tampered, or sealed under another key"))?;
        let credentials = serde_json::from_slice(&plaintext)
            .map_err(|_| CipherError::Unreadable("not credentials"));
        plaintext.fill(0);
        credentials
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;

    fn b64(key: [u8; 32]) -> String {
        base64::engine::general_purpose::STANDARD.encode(key)
    }

    fn oauth() -> Credentials {
        Credentials::OAuth {
            access_token: SecretString::from("access-SECRET".to_owned()),
            refresh_token: SecretString::from("refresh-SECRET".to_owned()),
            access_expires_at: Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap(),
            refresh_expires_at: Utc.with_ymd_and_hms(2026, 12, 8, 13, 30, 0).unwrap(),
        }
    }

    fn access(c: &Credentials) -> String {
        match c {
            Credentials::OAuth { access_token, .. } => access_token.expose_secret().to_owned(),
            Credentials::ApiKey { key_id, .. } => key_id.expose_secret().to_owned(),
        }
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let c = AesGcmCipher::new(1, [(1, [7u8; 32])]).unwrap();
        let a = c.seal(&oauth()).unwrap();
        let b = c.seal(&oauth()).unwrap();
        assert_ne!(a, b, "same plaintext, different nonce");
        assert_eq!(&a.0[..7], b"DC\x01\x00\x00\x00\x01");
        assert!(!String::from_utf8_lossy(&a.0).contains("SECRET"));
        assert_eq!(access(&c.open(&a).unwrap()), "access-SECRET");
        let keys = Credentials::ApiKey {
            key_id: SecretString::from("PKID".to_owned()),
            secret: SecretString::from("sk".to_owned()),
        };
        assert_eq!(access(&c.open(&c.seal(&keys).unwrap()).unwrap()), "PKID");
    }

    #[test]
    fn any_tampered_byte_or_truncation_is_refused() {
        let c = AesGcmCipher::new(1, [(1, [7u8; 32])]).unwrap();
        let blob = c.seal(&oauth()).unwrap().0;
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            assert!(
                matches!(
                    c.open(&SealedCredentials(bad)),
                    Err(CipherError::Unreadable(_))
                ),
                "byte {i}"
            );
        }
        for len in [
            0,
            1,
            7,
            HEADER + NONCE,
            HEADER + NONCE + TAG,
            blob.len() - 1,
        ] {
            let cut = SealedCredentials(blob[..len].to_vec());
            assert!(
                matches!(c.open(&cut), Err(CipherError::Unreadable(_))),
                "len {len}"
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(c.open(&SealedCredentials(longer)).is_err());
    }

    #[test]
    fn a_wrong_key_or_unknown_version_is_refused() {
        let a = AesGcmCipher::new(1, [(1, [7u8; 32])]).unwrap();
        let b = AesGcmCipher::new(1, [(1, [8u8; 32])]).unwrap();
        let blob = a.seal(&oauth()).unwrap();
        assert_eq!(
            b.open(&blob).unwrap_err(),
            CipherError::Unreadable("tampered, or sealed under another key")
        );
        let other = AesGcmCipher::new(2, [(2, [7u8; 32])]).unwrap();
        assert_eq!(
            other.open(&blob).unwrap_err(),
            CipherError::Unreadable("sealed under an unknown key version")
        );
        // Relabelling the version (same key under both numbers) breaks the AAD.
        let both = AesGcmCipher::new(2, [(1, [7u8; 32]), (2, [7u8; 32])]).unwrap();
        let mut relabelled = blob.0.clone();
        relabelled[6] = 2;
        assert!(both.open(&SealedCredentials(relabelled)).is_err());
    }

    #[test]
    fn rotation_keeps_old_blobs_readable() {
        let old = AesGcmCipher::from_secret(&SecretString::from(b64([1; 32]))).unwrap();
        assert_eq!(old.current_version(), 1);
        let blob = old.seal(&oauth()).unwrap();
        let json = format!(
            r#"{{"current": 2, "keys": {{"1": "{}", "2": "{}"}}}}"#,
            b64([1; 32]),
            b64([2; 32])
        );
        let rotated = AesGcmCipher::from_secret(&SecretString::from(json)).unwrap();
        assert_eq!(access(&rotated.open(&blob).unwrap()), "access-SECRET");
        let fresh = rotated.seal(&oauth()).unwrap();
        assert_eq!(&fresh.0[3..7], &2u32.to_be_bytes());
        assert!(old.open(&fresh).is_err());
    }

    #[test]
    fn secrets_are_parsed_without_echo_and_never_shown() {
        let secret = "x".repeat(70);
        let c = AesGcmCipher::from_secret(&SecretString::from(secret.clone())).unwrap();
        assert_eq!(
            format!("{c:?}"),
            "AesGcmCipher { current: 1, versions: [1] }"
        );
        for bad in [
            "short-secret-value".to_owned(),
            r#"{"current": 1, "keys": {"1": "c2hvcnQtc2VjcmV0LXZhbHVl"}}"#.to_owned(),
            r#"{"current": 3, "keys": {"1": "short-secret-value"#.to_owned(),
            format!(r#"{{"current": 3, "keys": {{"1": "{}"}}}}"#, b64([1; 32])),
            format!(r#"{{"current": 1, "keys": {{"one": "{}"}}}}"#, b64([1; 32])),
        ] {
            let e = AesGcmCipher::from_secret(&SecretString::from(bad.clone()))
                .unwrap_err()
                .to_string();
            assert!(
                !e.contains("short-secret-value") && !e.contains("c2hvcnQ"),
                "{e}"
            );
            assert!(matches!(
                AesGcmCipher::from_secret(&SecretString::from(bad)),
                Err(CipherError::KeyUnavailable(_))
            ));
        }
    }
}
