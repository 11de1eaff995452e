use crate::{
    AppError, Ports,
    dto::{Principal, SessionList, SessionView},
};

/// The caller's sessions, newest first.
pub struct ListSessions<'a> {
    pub principal: &'a Principal,
    pub active_only: bool,
}

impl ListSessions<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<SessionList, AppError> {
        let now = ports.clock.now();
        let all = ports
            .identity
            .sessions
            .list_for_user(self.principal.user_id)
            .await?;
        let active_count = all.iter().filter(|s| s.is_active(now)).count();
        let sessions: Vec<SessionView> = all
            .iter()
            .filter(|s| !self.active_only || s.is_active(now))
            .map(|s| SessionView::of(s, self.principal.session_id))
            .collect();
        Ok(SessionList {
            total_count: sessions.len(),
            active_count,
            sessions,
        })
    }
}
