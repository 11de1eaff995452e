use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Role;

/// What a route may require of its caller (API.md "Roles"): readonly reads accounts,
/// transactions, providers and sessions; user also writes them; admin also manages users,
/// the admin console (audit trail, jobs) and security (token rotations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    ReadAccounts,
    WriteAccounts,
    ReadTransactions,
    WriteTransactions,
    ReadProviders,
    WriteProviders,
    ReadSessions,
    WriteSessions,
    ManageUsers,
    AdminConsole,
    ManageSecurity,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Self::ReadAccounts,
        Self::WriteAccounts,
        Self::ReadTransactions,
        Self::WriteTransactions,
        Self::ReadProviders,
        Self::WriteProviders,
        Self::ReadSessions,
        Self::WriteSessions,
        Self::ManageUsers,
        Self::AdminConsole,
        Self::ManageSecurity,
    ];

    /// The lowest role that holds this permission; every higher role holds it too.
    pub fn minimum_role(self) -> Role {
        match self {
            Self::ReadAccounts
            | Self::ReadTransactions
            | Self::ReadProviders
            | Self::ReadSessions => Role::Readonly,
            Self::WriteAccounts
            | Self::WriteTransactions
            | Self::WriteProviders
            | Self::WriteSessions => Role::User,
            Self::ManageUsers | Self::AdminConsole | Self::ManageSecurity => Role::Admin,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadAccounts => "accounts:read",
            Self::WriteAccounts => "accounts:write",
            Self::ReadTransactions => "transactions:read",
            Self::WriteTransactions => "transactions:write",
            Self::ReadProviders => "providers:read",
            Self::WriteProviders => "providers:write",
            Self::ReadSessions => "sessions:read",
            Self::WriteSessions => "sessions:write",
            Self::ManageUsers => "users:manage",
            Self::AdminConsole => "admin:console",
            Self::ManageSecurity => "security:manage",
        }
    }
}

impl Role {
    /// The hierarchy admin > user > readonly: a role grants what it and every lower role
    /// grant.
    pub fn grants(self, permission: Permission) -> bool {
        self >= permission.minimum_role()
    }

    /// Whether any of `roles` grants `permission` (no roles: nothing).
    pub fn any_grants(roles: &BTreeSet<Role>, permission: Permission) -> bool {
        roles.iter().any(|r| r.grants(permission))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(role: Role) -> BTreeSet<&'static str> {
        Permission::ALL
            .into_iter()
            .filter(|p| role.grants(*p))
            .map(Permission::as_str)
            .collect()
    }

    #[test]
    fn readonly_only_reads() {
        assert_eq!(
            granted(Role::Readonly),
            BTreeSet::from([
                "accounts:read",
                "providers:read",
                "sessions:read",
                "transactions:read"
            ])
        );
    }

    #[test]
    fn user_also_writes_but_does_not_administer() {
        let user = granted(Role::User);
        assert!(granted(Role::Readonly).is_subset(&user));
        for p in [
            "accounts:write",
            "transactions:write",
            "providers:write",
            "sessions:write",
        ] {
            assert!(user.contains(p), "{p}");
        }
        for p in ["users:manage", "admin:console", "security:manage"] {
            assert!(!user.contains(p), "{p}");
        }
    }

    #[test]
    fn admin_holds_everything() {
        assert_eq!(granted(Role::Admin).len(), Permission::ALL.len());
    }

    #[test]
    fn hierarchy_is_monotonic() {
        for p in Permission::ALL {
            if Role::Readonly.grants(p) {
                assert!(Role::User.grants(p));
            }
            if Role::User.grants(p) {
                assert!(Role::Admin.grants(p));
            }
        }
    }

    #[test]
    fn a_set_grants_what_its_highest_role_grants() {
        assert!(!Role::any_grants(
            &BTreeSet::new(),
            Permission::ReadSessions
        ));
        let set = BTreeSet::from([Role::Readonly, Role::Admin]);
        assert!(Role::any_grants(&set, Permission::ManageSecurity));
        let set = BTreeSet::from([Role::Readonly]);
        assert!(!Role::any_grants(&set, Permission::WriteSessions));
    }
}
