//! JWT access tokens (HS256): issue, verify, and every way a token is refused.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use dashtam_core::ManualClock;
use dashtam_domain::identity::ports::{AccessClaims, AccessTokenError, AccessTokenService};
use dashtam_infrastructure::security::JwtAccessTokens;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use uuid::Uuid;

const KEY: &str = "0123456789abcdef0123456789abcdef-test-key";
const OTHER_KEY: &str = "fedcba9876543210fedcba9876543210-other-key";

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
