use std::fmt;

use serde::{Deserialize, Serialize};

/// SHA-256 (hex) of an opaque token. Stored instead of the token and used as its key,
/// so a lookup is one keyed read and a database leak reveals no usable token.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn from_hex(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix is enough to correlate log lines.
        write!(f, "TokenHash({}…)", self.0.get(..8).unwrap_or(""))
    }
}
