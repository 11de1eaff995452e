use std::collections::BTreeSet;

use dashtam_domain::identity::ports::AccessClaims;

use crate::{AppError, Ports, dto::Principal};

/// Turns a bearer token into a [`Principal`]: a valid signature is not enough, the
/// session must still be live, so revocation takes effect at once. The session and the
/// user are read together (one round trip), so the principal carries the user's *current*
/// roles: a granted or revoked role counts from the next request, whatever the token says.
pub struct Authenticate<'a> {
    pub bearer: &'a str,
}

impl Authenticate<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<Principal, AppError> {
        let claims = ports.identity.access_tokens.verify(self.bearer).await?;
        principal(ports, claims).await
    }
}

/// Verifies a bearer access token (signature, expiry, issuer, audience) and answers its
/// claims, without reading any store: the HTTP layer verifies a request's token once,
/// keys the caller's rate-limit bucket with the claims, then authenticates with them.
pub struct VerifyBearer<'a> {
    pub bearer: &'a str,
}

impl VerifyBearer<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<AccessClaims, AppError> {
        Ok(ports.identity.access_tokens.verify(self.bearer).await?)
    }
}

/// [`Authenticate`] for claims already verified ([`VerifyBearer`]), so a request's token
/// is not verified twice.
pub struct AuthenticateVerified {
    pub claims: AccessClaims,
}

impl AuthenticateVerified {
    pub async fn execute(self, ports: &Ports) -> Result<Principal, AppError> {
        principal(ports, self.claims).await
    }
}

async fn principal(ports: &Ports, claims: AccessClaims) -> Result<Principal, AppError> {
    let now = ports.clock.now();
    let (session, user) = ports
        .identity
        .sessions
        .find_with_user(claims.sub, claims.session_id)
        .await?;
    let user = user.ok_or_else(|| AppError::unauthorized("User no longer exists"))?;
    if !session.is_some_and(|s| s.is_active(now) && user.accepts_session_from(s.created_at)) {
        return Err(AppError::unauthorized(
            "Session has been revoked or has expired",
        ));
    }
    // A deactivated account keeps only what needs no permission (logout, profile).
    let roles = if user.is_active {
        ports.identity.settings.effective_roles(&user)
    } else {
        BTreeSet::new()
    };
    Ok(Principal {
        user_id: user.id,
        email: user.email.as_str().to_owned(),
        session_id: claims.session_id,
        roles,
        user,
    })
}
