use serde::Serialize;

/// One rejected field, reported in the problem's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    /// The 1-based line of an uploaded file the error is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
            line: None,
        }
    }

    pub fn at_line(mut self, line: Option<u32>) -> Self {
        self.line = line;
        self
    }
}

/// What a storage adapter may answer besides success.
///
/// Adapters translate their own failures (e.g. DynamoDB `ConditionalCheckFailed`,
/// `TransactionCanceled` reasons, throttling) into these, so no storage type leaks upwards.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// A uniqueness marker or key already exists (e.g. the email is taken).
    #[error("already exists: {0}")]
    AlreadyExists(Existing),
    /// An optimistic-lock or state precondition failed: someone else wrote first.
    #[error("concurrent modification: {0}")]
    Conflict(Conflict),
    /// The store refused for now (throttled, or not reachable in time); nothing was
    /// written and the same call may succeed in a moment.
    #[error("storage throttled: {0}")]
    Throttled(String),
    /// The store is unreachable or failed; never a user mistake.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Which unique thing already exists ([`StoreError::AlreadyExists`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// The email marker: the address is registered.
    Email,
    /// A user with this id.
    User,
    /// A one-time token with this hash.
    Token,
    /// A session with this id.
    Session,
    /// A refresh token with this hash.
    RefreshToken,
    /// A connection with this id.
    Connection,
    /// An account for this `(connection, provider_account_id)`.
    Account,
    /// A holding for this `(account, provider_holding_id)`.
    Holding,
    Import,
}

impl Existing {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::User => "user",
            Self::Token => "token",
            Self::Session => "session",
            Self::RefreshToken => "refresh_token",
            Self::Connection => "connection",
            Self::Account => "account",
            Self::Holding => "holding",
            Self::Import => "import",
        }
    }
}

impl std::fmt::Display for Existing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which precondition another writer broke ([`StoreError::Conflict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The user was saved since it was read (its `version` moved on): read it again.
    StaleUser,
    /// The security config was saved since it was read (its `version` moved on).
    StaleSecurityConfig,
    /// The one-time token was used (or removed) meanwhile.
    TokenUsed,
    /// The refresh token was rotated meanwhile, or its session was revoked, expired or
    /// moved on to another token.
    RefreshRotated,
    /// The connection was saved since it was read.
    StaleConnection,
    /// An account was saved since it was read.
    StaleAccount,
    /// A holding was saved since it was read.
    StaleHolding,
    /// An import record was saved since it was read.
    StaleImport,
}

impl Conflict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StaleUser => "user",
            Self::StaleSecurityConfig => "security_config",
            Self::TokenUsed => "token",
            Self::RefreshRotated => "refresh_token",
            Self::StaleConnection => "connection",
            Self::StaleAccount => "account",
            Self::StaleHolding => "holding",
            Self::StaleImport => "import",
        }
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
