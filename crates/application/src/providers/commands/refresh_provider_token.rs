use chrono::{DateTime, Utc};
use dashtam_domain::{platform::events::EventContext, providers::Credentials};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    providers::{credentials::unusable, owned_connection, usable_credentials},
};

/// Refreshes an OAuth connection's access token now (`POST …/token-refreshes`).
pub struct RefreshProviderToken {
    pub principal: Principal,
    pub connection_id: Uuid,
    /// Refresh even if the token is still fresh (the default: an explicit request).
    pub force: bool,
    pub context: EventContext,
}

#[derive(Debug, Clone)]
pub struct TokenRefreshed {
    pub expires_at: DateTime<Utc>,
    /// False when the token was fresh and `force` was off.
    pub refreshed: bool,
}

impl RefreshProviderToken {
    pub async fn execute(self, ports: &Ports) -> Result<TokenRefreshed, AppError> {
        let now = ports.clock.now();
        let mut events = EventBatch::new(&self.context, now);
        let mut connection =
            owned_connection(ports, self.principal.user_id, self.connection_id).await?;
        if connection.access_expires_at.is_none() && connection.is_connected() {
            return Err(AppError::validation(
                format!(
                    "{} connections use API keys, which have no token to refresh.",
                    connection.provider_slug
                ),
                vec![],
            ));
        }
        let before = connection.access_expires_at;
        let result = usable_credentials(ports, &mut connection, &mut events, self.force).await;
        events.append_to_outbox(ports).await;
        match result? {
            Credentials::OAuth {
                access_expires_at, ..
            } => Ok(TokenRefreshed {
                expires_at: access_expires_at,
                refreshed: before != Some(access_expires_at),
            }),
            Credentials::ApiKey { .. } => Err(unusable(&connection)),
        }
    }
}
