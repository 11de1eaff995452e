use chrono::{DateTime, Utc};
use dashtam_domain::providers::{ConnectionStatus, ProviderConnection, ProviderSlug};
use uuid::Uuid;

/// A connection as its owner sees it: never its credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionView {
    pub id: Uuid,
    pub provider_slug: ProviderSlug,
    pub alias: Option<String>,
    pub status: ConnectionStatus,
    pub is_connected: bool,
    pub needs_reauthentication: bool,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConnectionView {
    pub fn of(c: &ProviderConnection, now: DateTime<Utc>) -> Self {
        Self {
            id: c.id,
            provider_slug: c.provider_slug,
            alias: c.alias.clone(),
            status: c.status,
            is_connected: c.is_connected(),
            needs_reauthentication: c.needs_reauthentication(now),
            connected_at: c.connected_at,
            last_sync_at: c.last_sync_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
