use serde::{Deserialize, Serialize};

/// How many concurrent sessions a user may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionTier {
    #[default]
    Basic,
    Essential,
    Plus,
    Premium,
    Pro,
}

impl SessionTier {
    /// `None` means unlimited.
    pub fn max_sessions(self) -> Option<u32> {
        match self {
            Self::Basic => Some(2),
            Self::Essential => Some(3),
            Self::Plus => Some(5),
            Self::Premium => Some(10),
            Self::Pro => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Essential => "essential",
            Self::Plus => "plus",
            Self::Premium => "premium",
            Self::Pro => "pro",
        }
    }
}
