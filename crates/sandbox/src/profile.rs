//! The sandbox profiles: which data a consent (Schwab) or key pair (Alpaca) sees, and which
//! fault it injects.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// What a Schwab consent or an Alpaca key pair is bound to. Names are snake_case
/// (`investor`, `empty`, `rate_limited`, `unavailable`, `revoked`, `slow`, `bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// A MARGIN and a CASH ("Roth IRA") account, ~10 positions, ~90 days of activity.
    #[default]
    Investor,
    /// One CASH account with no positions and no transactions.
    Empty,
    /// Every API call answers 429 with `Retry-After`.
    RateLimited,
    /// Every API call answers 500.
    Unavailable,
    /// Schwab: the access token is issued already expired and every refresh is refused.
    Revoked,
    /// Investor data, answered after `SandboxConfig::slow_delay`.
    Slow,
    /// Investor scaled to 10,000 transactions over a year.
    Bulk,
}

impl Profile {
    pub const ALL: [Profile; 7] = [
        Profile::Investor,
        Profile::Empty,
        Profile::RateLimited,
        Profile::Unavailable,
        Profile::Revoked,
        Profile::Slow,
        Profile::Bulk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Investor => "investor",
            Profile::Empty => "empty",
            Profile::RateLimited => "rate_limited",
            Profile::Unavailable => "unavailable",
            Profile::Revoked => "revoked",
            Profile::Slow => "slow",
            Profile::Bulk => "bulk",
        }
    }

    /// A small number unique to the profile, used in account numbers and ids.
    pub(crate) fn ordinal(self) -> u64 {
        match self {
            Profile::Investor => 0,
            Profile::Empty => 1,
            Profile::RateLimited => 2,
            Profile::Unavailable => 3,
            Profile::Revoked => 4,
            Profile::Slow => 5,
            Profile::Bulk => 6,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a name that is not a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown sandbox profile {:?}", self.0)
    }
}

impl std::error::Error for UnknownProfile {}

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("Investor".parse::<Profile>().is_err());
    }
}
