use uuid::Uuid;

use crate::{
    AppError, Ports,
    dto::{Principal, SessionView},
};

/// One of the caller's sessions; another user's session is indistinguishable from none.
pub struct GetSession<'a> {
    pub principal: &'a Principal,
    pub session_id: Uuid,
}

impl GetSession<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<SessionView, AppError> {
        ports
            .identity
            .sessions
            .find(self.principal.user_id, self.session_id)
            .await?
            .map(|s| SessionView::of(&s, self.principal.session_id))
            .ok_or_else(|| AppError::NotFound("Session not found".into()))
    }
}
