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
    pub const ALL: [Role; 3] = [Role::Readonly, Role::User, Role::Admin];

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Readonly => "readonly",
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}
