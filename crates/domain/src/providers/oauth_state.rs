use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::identity::value_objects::TokenHash;
use crate::providers::ProviderSlug;

/// How long a user has to finish the provider's consent.
pub const OAUTH_STATE_TTL: Duration = Duration::minutes(10);

/// A started authorization: the random state the provider echoes back, stored only as
/// its hash, bound to who started it and for what. Single use.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthState {
    pub hash: TokenHash,
    pub user_id: Uuid,
    pub provider_slug: ProviderSlug,
    pub alias: Option<String>,
    pub redirect_uri: String,
    /// The connection being reconnected, if any.
    pub connection_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl OAuthState {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}
