use uuid::Uuid;

use crate::{
    AppError, Ports,
    dto::Principal,
    providers::{ConnectionView, commands::connect_provider::stale, owned_connection},
};

/// Renames a connection (its alias; `None` clears it).
pub struct UpdateConnection {
    pub principal: Principal,
    pub connection_id: Uuid,
    pub alias: Option<String>,
}

impl UpdateConnection {
    pub async fn execute(self, ports: &Ports) -> Result<ConnectionView, AppError> {
        let now = ports.clock.now();
        let mut connection =
            owned_connection(ports, self.principal.user_id, self.connection_id).await?;
        if connection.alias != self.alias {
            connection.alias = self.alias;
            connection.updated_at = now;
            ports
                .providers
                .connections
                .save(&connection, &[])
                .await
                .map_err(stale)?;
        }
        Ok(ConnectionView::of(&connection, now))
    }
}
