//! Deterministic "randomness" for the seeded data: everything derives from stable keys
//! (profile, account, date, index), never from a random generator.

/// FNV-1a over the bytes of `s`.
pub(crate) fn text(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// splitmix64 folded over `parts`.
pub(crate) fn mix(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x9e37_79b9_7f4a_7c15, |h, p| splitmix(h ^ *p))
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 upper-case hex digits (the length of Schwab's account `hashValue`).
pub(crate) fn hex64(seed: u64) -> String {
    (0..4u64)
        .map(|i| format!("{:016X}", mix(&[seed, i])))
        .collect()
}

/// A version-4-shaped UUID derived from `seed`.
pub(crate) fn uuid(seed: u64) -> uuid::Uuid {
    let (a, b) = (mix(&[seed, 1]), mix(&[seed, 2]));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A random version-4 UUID (for error ids and sessions, which need not be stable).
pub(crate) fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}
