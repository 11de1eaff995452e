//! Started OAuth authorizations: `OAUTHSTATE#<sha256>` / `OAUTHSTATE`, consumed by one
//! conditional DeleteItem that returns the item, so a state is taken at most once.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Existing, StoreError,
    identity::value_objects::TokenHash,
    providers::{OAuthState, OAuthStateRepository, ProviderSlug},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    expr::Expr,
    keys::{OAUTH_STATE_SK, key, oauth_state_pk},
    table::{Table, from_item, to_item},
    ts::{self, epoch},
};

/// TTL lags; the item outlives `expires_at` a little so a late callback is told
/// "expired" (the caller checks `expires_at`) rather than "unknown".
const STATE_RETENTION: Duration = Duration::hours(1);

#[derive(Debug, Clone)]
pub struct DynamoOAuthStateRepository {
    table: Table,
}

impl DynamoOAuthStateRepository {
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self::from_table(Table::new(client, table))
    }

    pub fn from_table(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait]
impl OAuthStateRepository for DynamoOAuthStateRepository {
    async fn put(&self, state: &OAuthState) -> Result<(), StoreError> {
        let put = self.table.put(
            to_item("oauth state", &OAuthStateItem::new(state))?,
            Some("attribute_not_exists(PK)"),
            Expr::new(),
        )?;
        if self.table.put_if("oauth state", put).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(Existing::Token))
        }
    }

    async fn take(&self, hash: &TokenHash) -> Result<Option<OAuthState>, StoreError> {
        let delete = self.table.delete(
            key(oauth_state_pk(hash), OAUTH_STATE_SK),
            Some("attribute_exists(PK)"),
            Expr::new(),
        )?;
        self.table
            .delete_returning("oauth state", delete)
            .await?
            .map(|item| {
                from_item::<OAuthStateItem>("oauth state", item).map(OAuthStateItem::into_state)
            })
            .transpose()
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct OAuthStateItem {
    PK: String,
    SK: String,
    entity: String,
    hash: TokenHash,
    user_id: Uuid,
    provider_slug: ProviderSlug,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection_id: Option<Uuid>,
    #[serde(with = "ts")]
    created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    expires_at: DateTime<Utc>,
    ttl: i64,
}

impl OAuthStateItem {
    fn new(s: &OAuthState) -> Self {
        Self {
            PK: oauth_state_pk(&s.hash),
            SK: OAUTH_STATE_SK.to_owned(),
            entity: "oauth_state".to_owned(),
            hash: s.hash.clone(),
            user_id: s.user_id,
            provider_slug: s.provider_slug,
            alias: s.alias.clone(),
            redirect_uri: s.redirect_uri.clone(),
            connection_id: s.connection_id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            ttl: epoch(s.expires_at + STATE_RETENTION),
        }
    }

    fn into_state(self) -> OAuthState {
        OAuthState {
            hash: self.hash,
            user_id: self.user_id,
            provider_slug: self.provider_slug,
            alias: self.alias,
            redirect_uri: self.redirect_uri,
            connection_id: self.connection_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}
