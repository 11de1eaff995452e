use dashtam_domain::providers::ProviderConnection;
use uuid::Uuid;

use crate::{AppError, Ports};

/// The caller's connection: 404 when no one has it, 403 when someone else does.
pub(crate) async fn owned_connection(
    ports: &Ports,
    user_id: Uuid,
    connection_id: Uuid,
) -> Result<ProviderConnection, AppError> {
    let connections = &ports.providers.connections;
    if let Some(c) = connections.find(user_id, connection_id).await? {
        return Ok(c);
    }
    match connections.owner_of(connection_id).await? {
        Some(_) => Err(AppError::Forbidden(
            "This connection belongs to another user".into(),
        )),
        None => Err(AppError::NotFound("Connection not found".into())),
    }
}
