//! argon2id hashing.

use dashtam_domain::identity::ports::PasswordHasher;
use dashtam_domain::identity::value_objects::Password;
use dashtam_infrastructure::security::Argon2Hasher;

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
