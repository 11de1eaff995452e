use crate::{
    AppError, Ports,
    dto::{Principal, UserProfile},
};

/// The caller's profile, from the user read while authenticating (no second read).
pub struct GetCurrentUser<'a> {
    pub principal: &'a Principal,
}

impl GetCurrentUser<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<UserProfile, AppError> {
        let user = &self.principal.user;
        Ok(UserProfile {
            id: user.id,
            roles: ports.identity.settings.effective_roles(user),
            email: user.email.as_str().to_owned(),
            is_verified: user.is_verified,
            session_tier: user.session_tier,
            created_at: user.created_at,
        })
    }
}
