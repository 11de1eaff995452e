use dashtam_domain::identity::{entities::User, ports::AccessTokenError};
use uuid::Uuid;

use crate::{Ports, dto::TokenPair};

/// The pair a login or a refresh answers: an access token for `user` in `session_id`
/// carrying the user's effective roles, and the refresh token's plaintext.
pub(super) async fn token_pair(
    ports: &Ports,
    user: &User,
    session_id: Uuid,
    refresh_token: String,
) -> Result<TokenPair, AccessTokenError> {
    let identity = &ports.identity;
    let roles = identity.settings.effective_roles(user);
    let roles = roles.iter().map(|r| r.as_str().to_owned()).collect();
    let access_token = identity
        .access_tokens
        .issue(user.id, user.email.as_str(), roles, session_id)
        .await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        expires_in: identity.access_tokens.ttl_seconds(),
    })
}
