use dashtam_domain::platform::events::{EventContext, EventPayload};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    providers::{commands::connect_provider::stale, owned_connection},
};

/// Disconnects: the credentials are erased, the connection and its accounts are kept
/// (accounts inactive, history readable). Disconnecting twice changes nothing more.
pub struct DisconnectProvider {
    pub principal: Principal,
    pub connection_id: Uuid,
    pub context: EventContext,
}

impl DisconnectProvider {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let now = ports.clock.now();
        let user_id = self.principal.user_id;
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            Some(user_id),
            EventPayload::ProviderDisconnectionAttempted {
                connection_id: self.connection_id,
            },
        );
        let result = disconnect(ports, user_id, self.connection_id, &mut events).await;
        if let Err(e) = &result {
            events.push(
                Some(user_id),
                EventPayload::ProviderDisconnectionFailed {
                    connection_id: self.connection_id,
                    reason: e.to_string(),
                },
            );
        }
        events.append_to_outbox(ports).await;
        result
    }
}

async fn disconnect(
    ports: &Ports,
    user_id: Uuid,
    connection_id: Uuid,
    events: &mut EventBatch,
) -> Result<(), AppError> {
    let now = ports.clock.now();
    let mut connection = owned_connection(ports, user_id, connection_id).await?;
    let already = connection.status == dashtam_domain::providers::ConnectionStatus::Disconnected;
    connection.disconnect(now);
    let accounts: Vec<_> = ports
        .portfolio
        .accounts
        .list_for_user(user_id)
        .await?
        .into_iter()
        .filter(|a| a.connection_id == connection_id && a.is_active)
        .map(|mut a| {
            a.is_active = false;
            a.updated_at = now;
            a
        })
        .collect();
    if !already {
        let succeeded = events.event(
            Some(user_id),
            EventPayload::ProviderDisconnectionSucceeded {
                connection_id,
                provider_slug: connection.provider_slug.to_string(),
            },
        );
        ports
            .providers
            .connections
            .save(&connection, &events.outbox_with([succeeded]))
            .await
            .map_err(stale)?;
        events.mark_outboxed();
    }
    if !accounts.is_empty() {
        ports
            .portfolio
            .accounts
            .save_all(&accounts, &[])
            .await
            .map_err(stale)?;
    }
    Ok(())
}
