//! Security adapters and the local mailbox, no emulator needed.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use dashtam_core::ManualClock;
use dashtam_domain::events::EmailKind;
use dashtam_domain::ports::{
    AccessClaims, AccessTokenError, AccessTokenService, DeviceDetector, EmailMessage, EmailSender,
    OpaqueTokens, PasswordHasher,
};
use dashtam_domain::value_objects::Password;
use dashtam_infrastructure::email::{MailboxEmailSender, mailbox_name, read_mailbox, render};
use dashtam_infrastructure::security::{
    Argon2Hasher, JwtAccessTokens, RandomOpaqueTokens, WootheeDeviceDetector,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use uuid::Uuid;

const KEY: &str = "0123456789abcdef0123456789abcdef-test-key";
const OTHER_KEY: &str = "fedcba9876543210fedcba9876543210-other-key";

fn password(raw: &str) -> Password {
    Password::parse(raw, "password").expect("a valid password")
}

// ---------------------------------------------------------------- argon2id

#[tokio::test]
async fn argon2_round_trip_and_wrong_password() {
    let hasher = Argon2Hasher::new();
    let hash = hasher
        .hash(&password("Str0ng!Passw0rd"))
        .await
        .expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(hasher.verify("Str0ng!Passw0rd", &hash).await);
    assert!(!hasher.verify("Str0ng!Passw0rd ", &hash).await);
    assert!(!hasher.verify("wrong", &hash).await);

    // Salted: the same password hashes differently.
    let again = hasher
        .hash(&password("Str0ng!Passw0rd"))
        .await
        .expect("hash");
    assert_ne!(hash, again);
}

#[tokio::test]
async fn argon2_malformed_hash_is_false() {
    let hasher = Argon2Hasher::new();
    for bad in [
        "",
        "not a hash",
        "$argon2id$v=19$m=19456,t=2,p=1$",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
        "$2b$12$abcdefghijklmnopqrstuu",
    ] {
        assert!(!hasher.verify("Str0ng!Passw0rd", bad).await, "{bad:?}");
    }
    // The dummy verification completes (twice: the dummy hash is cached).
    hasher.verify_dummy("anything").await;
    hasher.verify_dummy("anything").await;
}

// ---------------------------------------------------------------- JWT

fn jwt() -> JwtAccessTokens {
    JwtAccessTokens::with_fixed_key(KEY, 900)
}

async fn issue(tokens: &JwtAccessTokens) -> (String, Uuid, Uuid) {
    let user = Uuid::now_v7();
    let session = Uuid::now_v7();
    let token = tokens
        .issue(user, "a@example.com", vec!["user".into()], session)
        .await
        .expect("issue");
    (token, user, session)
}

#[tokio::test]
async fn jwt_issue_and_verify() {
    let tokens = jwt();
    assert_eq!(tokens.ttl_seconds(), 900);
    let (token, user, session) = issue(&tokens).await;
    let claims = tokens.verify(&token).await.expect("valid");
    assert_eq!(claims.sub, user);
    assert_eq!(claims.session_id, session);
    assert_eq!(claims.email, "a@example.com");
    assert_eq!(claims.roles, ["user"]);
    assert_eq!(claims.iss, "dashtam");
    assert_eq!(claims.aud, "dashtam-api");
    assert_eq!(claims.exp - claims.iat, 900);
    assert_eq!(claims.jti.get_version_num(), 7);

    let (second, ..) = issue(&tokens).await;
    let second = tokens.verify(&second).await.expect("valid");
    assert_ne!(claims.jti, second.jti);
}

#[tokio::test]
async fn jwt_tampered_signature_is_invalid() {
    let tokens = jwt();
    let (token, ..) = issue(&tokens).await;
    let (rest, sig) = token.rsplit_once('.').expect("three parts");
    let mut sig = URL_SAFE_NO_PAD.decode(sig).expect("base64 signature");
    sig[0] ^= 1;
    let forged = format!("{rest}.{}", URL_SAFE_NO_PAD.encode(sig));
    assert_eq!(tokens.verify(&forged).await, Err(AccessTokenError::Invalid));

    // A tampered payload (roles: admin) with the original signature.
    let mut parts = token.split('.');
    let (header, payload, sig) = (
        parts.next().expect("header"),
        parts.next().expect("payload"),
        parts.next().expect("sig"),
    );
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
    claims["roles"] = serde_json::json!(["admin"]);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{header}.{payload}.{sig}");
    assert_eq!(tokens.verify(&forged).await, Err(AccessTokenError::Invalid));

    assert_eq!(
        tokens.verify("garbage").await,
        Err(AccessTokenError::Invalid)
    );
    assert_eq!(tokens.verify("").await, Err(AccessTokenError::Invalid));
}

#[tokio::test]
async fn jwt_wrong_key_is_invalid() {
    let (token, ..) = issue(&jwt()).await;
    let other = JwtAccessTokens::with_fixed_key(OTHER_KEY, 900);
    assert_eq!(other.verify(&token).await, Err(AccessTokenError::Invalid));
}

#[tokio::test]
async fn jwt_expired_is_invalid() {
    // Through the clock: valid just before expiry, invalid after it.
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let tokens = jwt().with_clock(clock.clone());
    let (token, ..) = issue(&tokens).await;
    clock.advance(Duration::seconds(899));
    assert!(tokens.verify(&token).await.is_ok());
    clock.advance(Duration::seconds(10));
    assert_eq!(tokens.verify(&token).await, Err(AccessTokenError::Invalid));

    // Encoded by hand, expired a minute ago, checked against the system clock.
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        sub: Uuid::now_v7(),
        email: "a@example.com".into(),
        roles: vec!["user".into()],
        session_id: Uuid::now_v7(),
        jti: Uuid::now_v7(),
        iat: now - 960,
        exp: now - 60,
        iss: "dashtam".into(),
        aud: "dashtam-api".into(),
    };
    let key = EncodingKey::from_secret(KEY.as_bytes());
    let expired =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).expect("encode");
    assert_eq!(jwt().verify(&expired).await, Err(AccessTokenError::Invalid));

    // The same claims, not yet expired, pass: the failure above is the expiry.
    let fresh = AccessClaims {
        exp: now + 60,
        ..claims
    };
    let fresh = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &fresh, &key).expect("encode");
    assert!(jwt().verify(&fresh).await.is_ok());
}

#[tokio::test]
async fn jwt_wrong_audience_or_issuer_is_invalid() {
    let tokens = jwt();
    let (other_aud, ..) = issue(&jwt().with_audience("someone-else")).await;
    assert_eq!(
        tokens.verify(&other_aud).await,
        Err(AccessTokenError::Invalid)
    );
    let (other_iss, ..) = issue(&jwt().with_issuer("evil")).await;
    assert_eq!(
        tokens.verify(&other_iss).await,
        Err(AccessTokenError::Invalid)
    );

    // Configurable: a service with a custom issuer and audience accepts its own tokens.
    let custom = jwt().with_issuer("evil").with_audience("someone-else");
    let (token, ..) = issue(&custom).await;
    assert!(custom.verify(&token).await.is_ok());
    assert_eq!(tokens.verify(&token).await, Err(AccessTokenError::Invalid));
}

#[tokio::test]
async fn jwt_alg_none_is_invalid() {
    let tokens = jwt();
    let (token, ..) = issue(&tokens).await;
    let payload = token.split('.').nth(1).expect("payload");
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    for forged in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        assert_eq!(tokens.verify(&forged).await, Err(AccessTokenError::Invalid));
    }
    // HS512 with the right key is not HS256 either.
    let claims = tokens.verify(&token).await.expect("valid");
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(KEY.as_bytes()),
    )
    .expect("encode");
    assert_eq!(tokens.verify(&hs512).await, Err(AccessTokenError::Invalid));
}

#[tokio::test]
async fn jwt_short_key_is_unavailable() {
    let tokens = JwtAccessTokens::with_fixed_key("too-short-31-bytes-xxxxxxxxxxxx", 900);
    let err = tokens
        .issue(Uuid::now_v7(), "a@example.com", vec![], Uuid::now_v7())
        .await
        .expect_err("short key");
    assert!(
        matches!(err, AccessTokenError::KeyUnavailable(_)),
        "{err:?}"
    );
    let err = tokens.verify("a.b.c").await.expect_err("short key");
    assert!(
        matches!(err, AccessTokenError::KeyUnavailable(_)),
        "{err:?}"
    );

    // Exactly 32 bytes is enough.
    let ok = JwtAccessTokens::with_fixed_key("k".repeat(32), 900);
    let (token, ..) = issue(&ok).await;
    assert!(ok.verify(&token).await.is_ok());
}

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

// ---------------------------------------------------------------- mailbox

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dashtam-mailbox-{}", Uuid::now_v7()))
}

fn message(to: &str, subject: &str) -> EmailMessage {
    EmailMessage {
        to: to.into(),
        subject: subject.into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        sent_at: Utc::now(),
    }
}

#[test]
fn mailbox_names_refuse_path_traversal() {
    assert_eq!(
        mailbox_name("  Alice.Smith+x@Example.COM ").as_deref(),
        Ok("alice.smith+x@example.com")
    );
    for bad in [
        "",
        "..",
        "../etc/passwd",
        "../a@b.co",
        "a@b.co/..",
        "a/b@c.co",
        "a\\b@c.co",
        "a@..",
        "a..b@c.co",
        "a@b..co",
        "a@b",
        "@b.co",
        "a@",
        "plain",
        "a@b@c.co",
        "a b@c.co",
        "a@b.co\0",
        ".a@b.co",
        "%2e%2e@x.co/",
    ] {
        assert!(mailbox_name(bad).is_err(), "{bad:?} accepted");
    }
}

#[tokio::test]
async fn mailbox_round_trip_newest_first_and_traversal_refused() {
    let dir = temp_dir();
    let sender = MailboxEmailSender::new(&dir);
    sender
        .send(&message("Bob@Example.com", "first"))
        .await
        .expect("send");
    sender
        .send(&message("bob@example.com", "second"))
        .await
        .expect("send");
    sender
        .send(&message("carol@example.com", "other"))
        .await
        .expect("send");

    let inbox = read_mailbox(&dir, "BOB@example.com").await.expect("read");
    let subjects: Vec<_> = inbox.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects, ["second", "first"]);
    assert_eq!(inbox[0].to, "bob@example.com");
    assert!(
        read_mailbox(&dir, "nobody@example.com")
            .await
            .expect("read")
            .is_empty()
    );

    for bad in [
        "../bob@example.com",
        "..",
        "bob@example.com/../carol@example.com",
        "a\\b@c.co",
    ] {
        assert!(read_mailbox(&dir, bad).await.is_err(), "{bad:?}");
        assert!(sender.send(&message(bad, "x")).await.is_err(), "{bad:?}");
    }
    // Nothing escaped the mailbox folder and no temp files were left behind.
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir") {
        names.push(
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    names.sort();
    assert_eq!(names, ["bob@example.com", "carol@example.com"]);
    for entry in std::fs::read_dir(dir.join("bob@example.com")).expect("dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(name.ends_with(".json") && !name.starts_with('.'), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- templates

#[test]
fn render_links_and_escapes() {
    let token = "ab".repeat(32);
    let (subject, text, html) = render(
        EmailKind::Verification,
        "x<script>@example.com",
        Some(&token),
        "https://app.example/",
    );
    assert!(!subject.is_empty());
    let url = format!("https://app.example/verify-email?token={token}");
    assert!(text.contains(&url), "{text}");
    assert!(text.contains(&token));
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("x&lt;script&gt;@example.com"), "{html}");

    let (_, text, html) = render(
        EmailKind::PasswordReset,
        "a@example.com",
        Some("\"><img src=x onerror=alert(1)>"),
        "https://app.example\"onmouseover=\"x",
    );
    assert!(text.contains("15 minutes"), "{text}");
    assert!(text.contains("/reset-password?token="), "{text}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("\"onmouseover"), "{html}");
    assert!(html.contains("&lt;img"), "{html}");

    let (subject, text, html) = render(
        EmailKind::PasswordChanged,
        "a&b@example.com",
        None,
        "https://app.example",
    );
    assert!(subject.to_lowercase().contains("password"));
    assert!(text.contains("wasn't you"), "{text}");
    assert!(text.contains("reset your password"), "{text}");
    assert!(!text.contains("token="));
    assert!(html.contains("a&amp;b@example.com"), "{html}");
    assert!(
        html.contains("wasn&#x27;t you") || html.contains("wasn't you"),
        "{html}"
    );
}
