use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Authentication,
    Authorization,
    Session,
    /// Who may do what: role grants and revocations.
    Security,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Attempted,
    Succeeded,
    Failed,
    /// A single event with no attempt/outcome pair.
    Operational,
}

/// Which email an event asks the email consumer to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    Verification,
    PasswordReset,
    PasswordChanged,
    /// A session from a device the user had not used before.
    NewDevice,
}

/// Registry entry: everything the consumers and the event bus rules need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventMeta {
    pub name: &'static str,
    pub category: Category,
    pub workflow: &'static str,
    pub phase: Phase,
    /// Becomes one audit record.
    pub audit: bool,
    pub email: Option<EmailKind>,
    /// The live-stream event type, if clients may follow it.
    pub stream: Option<&'static str>,
}
