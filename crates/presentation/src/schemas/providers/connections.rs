use chrono::{DateTime, Utc};
use dashtam_application::providers::{
    ConnectionView, commands::TokenRefreshed, queries::ConnectionList,
};
use dashtam_domain::{FieldError, providers::CATALOG};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schemas::{
    Validate,
    names::{ConnectionStatusName, CredentialTypeName, ProviderCategoryName, ProviderSlugName},
    validate,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionResponse {
    pub id: Uuid,
    #[schema(value_type = ProviderSlugName)]
    pub provider_slug: String,
    pub alias: Option<String>,
    #[schema(value_type = ConnectionStatusName)]
    pub status: String,
    pub is_connected: bool,
    /// The user must go through the provider's consent again (reconnect).
    pub needs_reauthentication: bool,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ConnectionView> for ConnectionResponse {
    fn from(c: ConnectionView) -> Self {
        Self {
            id: c.id,
            provider_slug: c.provider_slug.to_string(),
            alias: c.alias,
            status: c.status.to_string(),
            is_connected: c.is_connected,
            needs_reauthentication: c.needs_reauthentication,
            connected_at: c.connected_at,
            last_sync_at: c.last_sync_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionListResponse {
    pub connections: Vec<ConnectionResponse>,
    pub total_count: usize,
    pub active_count: usize,
}

impl From<ConnectionList> for ConnectionListResponse {
    fn from(l: ConnectionList) -> Self {
        Self {
            connections: l.connections.into_iter().map(Into::into).collect(),
            total_count: l.total_count,
            active_count: l.active_count,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListConnectionsQuery {
    /// Only connections that are active with credentials (default false).
    pub active_only: Option<bool>,
}

/// Start a connection. Schwab (OAuth): `alias`, `redirect_uri`; Alpaca (API keys):
/// `api_key`, `api_secret`, `alias`. `connection_id` reconnects an expired, revoked or
/// failed connection of the same provider.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    #[schema(min_length = 1, max_length = 50, example = "schwab")]
    pub provider_slug: String,
    #[schema(min_length = 1, max_length = 100)]
    pub alias: Option<String>,
    /// Where the provider sends the browser back; default the API's own
    /// `/oauth/schwab/callback`. Absolute `https://` (or `http://` for localhost).
    #[schema(
        min_length = 1,
        max_length = 2048,
        example = "https://app.example.com/oauth/schwab/callback"
    )]
    pub redirect_uri: Option<String>,
    #[schema(min_length = 1, max_length = 256)]
    pub api_key: Option<String>,
    #[schema(min_length = 1, max_length = 256)]
    pub api_secret: Option<String>,
    pub connection_id: Option<Uuid>,
}

impl Validate for ConnectRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        validate::length(&mut e, "provider_slug", &self.provider_slug, 1, 50);
        if let Some(a) = &self.alias {
            validate::length(&mut e, "alias", a, 1, 100);
            validate::not_blank(&mut e, "alias", a);
        }
        if let Some(uri) = &self.redirect_uri {
            validate::length(&mut e, "redirect_uri", uri, 1, 2048);
            if !redirect_allowed(uri) {
                e.push(FieldError::new(
                    "redirect_uri",
                    "invalid_redirect_uri",
                    "must be an absolute https:// URL (http:// only for localhost)",
                ));
            }
        }
        for (field, value) in [("api_key", &self.api_key), ("api_secret", &self.api_secret)] {
            if let Some(v) = value {
                validate::length(&mut e, field, v, 1, 256);
                validate::not_blank(&mut e, field, v);
            }
        }
        e
    }
}

fn redirect_allowed(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let hostname = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let clean = !uri.chars().any(|c| c.is_whitespace() || c.is_control()) && !host.is_empty();
    clean
        && match scheme {
            "https" => true,
            "http" => matches!(hostname, "localhost" | "127.0.0.1" | "[::1]"),
            _ => false,
        }
}

/// Schwab: where to send the browser.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizationResponse {
    pub authorization_url: String,
    /// Echoed by the provider to the callback; single use.
    pub state: String,
    /// Seconds the state stays valid (600).
    pub expires_in: i64,
}

/// What `POST /api/v1/providers` answers: the consent URL (OAuth) or the connection
/// (API keys, connected at once).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ConnectResponse {
    Authorization(AuthorizationResponse),
    Connection(ConnectionResponse),
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnectionRequest {
    /// The new alias; null or absent clears it.
    #[schema(min_length = 1, max_length = 100)]
    pub alias: Option<String>,
}

impl Validate for UpdateConnectionRequest {
    fn errors(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if let Some(a) = &self.alias {
            validate::length(&mut e, "alias", a, 1, 100);
            validate::not_blank(&mut e, "alias", a);
        }
        e
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRefreshRequest {
    /// Refresh even if the access token is still fresh (default true).
    pub force: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenRefreshResponse {
    pub success: bool,
    pub message: String,
    /// When the (new) access token lapses.
    pub expires_at: DateTime<Utc>,
}

impl From<TokenRefreshed> for TokenRefreshResponse {
    fn from(t: TokenRefreshed) -> Self {
        Self {
            success: true,
            message: if t.refreshed {
                "Access token refreshed".into()
            } else {
                "Access token still valid; not refreshed".into()
            },
            expires_at: t.expires_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The provider's authorization code.
    #[param(max_length = 4096)]
    pub code: Option<String>,
    /// The state of `POST /api/v1/providers`.
    #[param(max_length = 256)]
    pub state: Option<String>,
    /// The provider's refusal, e.g. `access_denied`.
    #[param(max_length = 256)]
    pub error: Option<String>,
    #[param(max_length = 1024)]
    pub error_description: Option<String>,
    /// Schwab adds its own session id; ignored.
    pub session: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogEntry {
    #[schema(value_type = ProviderSlugName)]
    pub slug: String,
    pub name: String,
    #[schema(value_type = ProviderCategoryName)]
    pub category: String,
    #[schema(value_type = CredentialTypeName)]
    pub credential_type: String,
    pub supports_holdings: bool,
    pub supports_transactions: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogResponse {
    pub providers: Vec<CatalogEntry>,
}

impl CatalogResponse {
    pub fn all() -> Self {
        Self {
            providers: CATALOG
                .iter()
                .map(|p| CatalogEntry {
                    slug: p.slug.to_string(),
                    name: p.name.to_owned(),
                    category: p.category.to_string(),
                    credential_type: p.credential_type.to_string(),
                    supports_holdings: p.supports_holdings,
                    supports_transactions: p.supports_transactions,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redirect_allowed;

    #[test]
    fn redirects_are_https_or_local_http() {
        assert!(redirect_allowed("https://app.example.com/cb"));
        assert!(redirect_allowed(
            "http://127.0.0.1:3000/oauth/schwab/callback"
        ));
        assert!(redirect_allowed("http://localhost/x"));
        assert!(!redirect_allowed("http://evil.example.com/cb"));
        assert!(!redirect_allowed("javascript:alert(1)"));
        assert!(!redirect_allowed("https:// space"));
        assert!(!redirect_allowed("https://"));
    }
}
