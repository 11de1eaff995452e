use uuid::Uuid;

use crate::{
    AppError, Ports,
    dto::Principal,
    providers::{ConnectionView, owned_connection},
};

/// One of the caller's connections (403 for another user's, 404 for none).
pub struct GetConnection<'a> {
    pub principal: &'a Principal,
    pub connection_id: Uuid,
}

impl GetConnection<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<ConnectionView, AppError> {
        let c = owned_connection(ports, self.principal.user_id, self.connection_id).await?;
        Ok(ConnectionView::of(&c, ports.clock.now()))
    }
}
