use crate::{AppError, Ports, dto::Principal, providers::ConnectionView};

/// The caller's connections, oldest first.
pub struct ListConnections<'a> {
    pub principal: &'a Principal,
    pub active_only: bool,
}

#[derive(Debug, Clone)]
pub struct ConnectionList {
    pub connections: Vec<ConnectionView>,
    pub total_count: usize,
    pub active_count: usize,
}

impl ListConnections<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<ConnectionList, AppError> {
        let now = ports.clock.now();
        let all: Vec<ConnectionView> = ports
            .providers
            .connections
            .list_for_user(self.principal.user_id)
            .await?
            .iter()
            .map(|c| ConnectionView::of(c, now))
            .collect();
        let total_count = all.len();
        let active_count = all.iter().filter(|c| c.is_connected).count();
        let connections = if self.active_only {
            all.into_iter().filter(|c| c.is_connected).collect()
        } else {
            all
        };
        Ok(ConnectionList {
            connections,
            total_count,
            active_count,
        })
    }
}
