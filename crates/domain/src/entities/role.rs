use serde::{Deserialize, Serialize};

/// admin > user > readonly. A higher role holds every permission of the lower ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Readonly,
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Readonly => "readonly",
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}
