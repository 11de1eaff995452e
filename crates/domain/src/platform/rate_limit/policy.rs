use std::fmt;

use super::Limit;

/// The rate-limit policies of the API contract (`API.md`, "Rate limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    AuthLogin,
    AuthRegister,
    AuthPasswordReset,
    AuthTokenRefresh,
    ProviderConnect,
    ProviderSync,
    ApiRead,
    ApiWrite,
}

/// Who a bucket belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The client IP.
    Ip,
    /// The authenticated user; the client IP when the caller has no valid token.
    User,
    /// The user and the connection (or account) named in the path; the user alone when
    /// the route has no such parameter; the IP without a valid token.
    UserConnection,
}

impl Policy {
    pub const ALL: [Policy; 8] = [
        Policy::AuthLogin,
        Policy::AuthRegister,
        Policy::AuthPasswordReset,
        Policy::AuthTokenRefresh,
        Policy::ProviderConnect,
        Policy::ProviderSync,
        Policy::ApiRead,
        Policy::ApiWrite,
    ];

    /// The contract's name, used in bucket keys and configuration variables.
    pub fn name(self) -> &'static str {
        match self {
            Self::AuthLogin => "AUTH_LOGIN",
            Self::AuthRegister => "AUTH_REGISTER",
            Self::AuthPasswordReset => "AUTH_PASSWORD_RESET",
            Self::AuthTokenRefresh => "AUTH_TOKEN_REFRESH",
            Self::ProviderConnect => "PROVIDER_CONNECT",
            Self::ProviderSync => "PROVIDER_SYNC",
            Self::ApiRead => "API_READ",
            Self::ApiWrite => "API_WRITE",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Self::AuthLogin | Self::AuthRegister | Self::AuthPasswordReset => Scope::Ip,
            Self::AuthTokenRefresh | Self::ProviderConnect | Self::ApiRead | Self::ApiWrite => {
                Scope::User
            }
            Self::ProviderSync => Scope::UserConnection,
        }
    }

    /// The default table — the one place the contract's numbers live.
    /// (burst, refill per minute)
    pub fn default_limit(self) -> Limit {
        let (burst, per_minute) = match self {
            Self::AuthLogin => (5, 5),
            Self::AuthRegister => (3, 3),
            Self::AuthPasswordReset => (3, 1),
            Self::AuthTokenRefresh => (10, 10),
            Self::ProviderConnect => (5, 5),
            Self::ProviderSync => (10, 5),
            Self::ApiRead => (100, 100),
            Self::ApiWrite => (50, 50),
        };
        Limit::new(burst, per_minute).unwrap_or(Limit::MIN)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The limit of every policy: the defaults, optionally overridden by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits([Limit; 8]);

impl Default for Limits {
    fn default() -> Self {
        Self(Policy::ALL.map(Policy::default_limit))
    }
}

impl Limits {
    pub fn get(&self, policy: Policy) -> Limit {
        self.0[policy as usize]
    }

    pub fn set(&mut self, policy: Policy, limit: Limit) {
        self.0[policy as usize] = limit;
    }
}

/// One bucket: a policy, whose it is (`ip:<addr>`, `user:<id>`, `user:<id>:<connection>`)
/// and the route (`METHOD /path/{template}`), so each route has buckets of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketKey {
    pub policy: Policy,
    pub subject: String,
    pub route: String,
}

impl fmt::Display for BucketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}#{}", self.policy, self.subject, self.route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_is_the_contracts() {
        let table: Vec<(&str, u32, u32)> = Policy::ALL
            .iter()
            .map(|p| {
                let l = p.default_limit();
                (p.name(), l.burst(), l.per_minute())
            })
            .collect();
        assert_eq!(
            table,
            [
                ("AUTH_LOGIN", 5, 5),
                ("AUTH_REGISTER", 3, 3),
                ("AUTH_PASSWORD_RESET", 3, 1),
                ("AUTH_TOKEN_REFRESH", 10, 10),
                ("PROVIDER_CONNECT", 5, 5),
                ("PROVIDER_SYNC", 10, 5),
                ("API_READ", 100, 100),
                ("API_WRITE", 50, 50),
            ]
        );
        // ALL is in declaration order, which `Limits` indexes by.
        for (i, p) in Policy::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
        }
    }

    #[test]
    fn limits_can_be_overridden_per_policy() {
        let mut limits = Limits::default();
        let custom = Limit::new(7, 2).unwrap();
        limits.set(Policy::AuthLogin, custom);
        assert_eq!(limits.get(Policy::AuthLogin), custom);
        assert_eq!(
            limits.get(Policy::AuthRegister),
            Policy::AuthRegister.default_limit()
        );
    }

    #[test]
    fn keys_name_policy_subject_and_route() {
        let key = BucketKey {
            policy: Policy::ApiRead,
            subject: "ip:192.0.2.1".into(),
            route: "GET /api/v1/sessions/{id}".into(),
        };
        assert_eq!(
            key.to_string(),
            "API_READ#ip:192.0.2.1#GET /api/v1/sessions/{id}"
        );
    }
}
