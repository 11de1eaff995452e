use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Authentication,
    Authorization,
    Session,
    /// Who may do what: role grants and revocations.
    Security,
    Provider,
    DataSync,
    Portfolio,
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
    /// A provider grant lapses within a day: reconnect before it does.
    ProviderTokenExpiring,
    /// A provider refused the grant: reconnect to resume syncing.
    ProviderReconnect,
}

/// What a client of the live stream can follow: the first segment of each live-stream
/// event type (`security` of `security.session.new`). The one list of them; the stream's
/// `categories` filter and its documentation read it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamCategory {
    DataSync,
    Provider,
    Import,
    Portfolio,
    Security,
}

impl StreamCategory {
    pub const ALL: [Self; 5] = [
        Self::DataSync,
        Self::Provider,
        Self::Import,
        Self::Portfolio,
        Self::Security,
    ];

    /// The wire names, in the order of [`Self::ALL`].
    pub const NAMES: [&'static str; 5] = {
        let mut names = [""; 5];
        let mut i = 0;
        while i < Self::ALL.len() {
            names[i] = Self::ALL[i].as_str();
            i += 1;
        }
        names
    };

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DataSync => "data_sync",
            Self::Provider => "provider",
            Self::Import => "import",
            Self::Portfolio => "portfolio",
            Self::Security => "security",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The category of a live-stream event type (`security.session.new` → security).
    pub fn of_stream_type(event_type: &str) -> Option<Self> {
        match event_type.split('.').next().unwrap_or_default() {
            // `sync.accounts.started` and its kin are data-sync events.
            "sync" => Some(Self::DataSync),
            first => Self::parse(first),
        }
    }
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

impl EventMeta {
    /// The live-stream category of this event, if clients may follow it.
    pub fn stream_category(&self) -> Option<StreamCategory> {
        self.stream.and_then(StreamCategory::of_stream_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::events::REGISTRY;

    #[test]
    fn every_live_stream_type_names_a_category() {
        for m in REGISTRY {
            if let Some(stream) = m.stream {
                assert!(m.stream_category().is_some(), "{}: {stream}", m.name);
            }
        }
        assert_eq!(
            StreamCategory::NAMES,
            ["data_sync", "provider", "import", "portfolio", "security"]
        );
        assert_eq!(
            StreamCategory::of_stream_type("security.session.new"),
            Some(StreamCategory::Security)
        );
        assert_eq!(StreamCategory::parse("nope"), None);
    }
}
