//! Opaque tokens and device labels.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dashtam_domain::identity::ports::{DeviceDetector, OpaqueTokens};
use dashtam_infrastructure::security::{RandomOpaqueTokens, WootheeDeviceDetector};

// ---------------------------------------------------------------- opaque tokens

#[test]
fn opaque_refresh_tokens_are_32_url_safe_bytes() {
    let tokens = RandomOpaqueTokens::new();
    let t = tokens.refresh_token();
    assert_eq!(t.plaintext.len(), 43);
    assert!(
        t.plaintext
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{}",
        t.plaintext
    );
    assert_eq!(URL_SAFE_NO_PAD.decode(&t.plaintext).expect("b64").len(), 32);
    assert_eq!(t.hash, tokens.hash(&t.plaintext));
}

#[test]
fn opaque_hex_tokens_are_64_lower_hex() {
    let tokens = RandomOpaqueTokens::new();
    let t = tokens.hex_token();
    assert_eq!(t.plaintext.len(), 64);
    assert!(
        t.plaintext
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(t.hash, tokens.hash(&t.plaintext));
}

#[test]
fn opaque_hash_is_sha256_hex() {
    let tokens = RandomOpaqueTokens::new();
    assert_eq!(
        tokens.hash("abc").as_str(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        tokens.hash("").as_str(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn opaque_tokens_do_not_repeat() {
    let tokens = RandomOpaqueTokens::new();
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        assert!(seen.insert(tokens.refresh_token().plaintext));
        assert!(seen.insert(tokens.hex_token().plaintext));
    }
    assert_eq!(seen.len(), 2000);
}

// ---------------------------------------------------------------- devices

#[test]
fn device_labels_from_real_user_agents() {
    let d = WootheeDeviceDetector::new();
    let cases = [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Windows 10",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
    ];
    for (ua, want) in cases {
        assert_eq!(d.describe(ua).as_deref(), Some(want), "{ua}");
    }
    assert_eq!(d.describe(""), None);
    assert_eq!(d.describe("   "), None);
    assert_eq!(d.describe("definitely-not-a-browser"), None);
}
