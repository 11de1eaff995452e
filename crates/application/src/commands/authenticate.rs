use dashtam_domain::entities::Role;

use crate::{AppError, Ports, dto::Principal};

/// Turns a bearer token into a [`Principal`]: a valid signature is not enough, the
/// session must still be live, so revocation takes effect at once.
pub struct Authenticate<'a> {
    pub bearer: &'a str,
}

impl Authenticate<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Principal, AppError> {
        let claims = ports.access_tokens.verify(self.bearer).await?;
        let now = ports.clock.now();
        let session = ports.sessions.find(claims.sub, claims.session_id).await?;
        if !session.is_some_and(|s| s.is_active(now)) {
            return Err(AppError::unauthorized(
                "Session has been revoked or has expired",
            ));
        }
        Ok(Principal {
            user_id: claims.sub,
            email: claims.email,
            session_id: claims.session_id,
            roles: claims.roles,
        })
    }
}

/// Admin routes check the user's *current* roles, not the ones frozen in the token.
pub struct RequireAdmin<'a> {
    pub principal: &'a Principal,
}

impl RequireAdmin<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<(), AppError> {
        let user = ports.users.find_by_id(self.principal.user_id).await?;
        let is_admin = user
            .filter(|u| u.is_active)
            .is_some_and(|u| ports.settings.effective_roles(&u).contains(&Role::Admin));
        if is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden("Role 'admin' required".into()))
        }
    }
}
