use dashtam_domain::{
    platform::events::{EventContext, EventPayload},
    providers::{
        ConnectionStatus, Credentials, OAUTH_STATE_TTL, OAuthState, ProviderConnection,
        ProviderError, ProviderSlug,
    },
};
use secrecy::SecretString;
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    providers::{ConnectionView, credentials::grant, owned_connection},
};

/// Starts a connection (or a reconnect): Schwab answers with the consent URL, Alpaca's
/// keys are checked against its account endpoint before anything is stored.
pub struct ConnectProvider {
    pub principal: Principal,
    pub provider_slug: ProviderSlug,
    pub alias: Option<String>,
    pub redirect_uri: Option<String>,
    pub api_key: Option<SecretString>,
    pub api_secret: Option<SecretString>,
    /// Reconnect this expired, revoked or failed connection instead of making a new one.
    pub connection_id: Option<Uuid>,
    pub context: EventContext,
}

/// What the caller does next.
#[derive(Debug)]
pub enum Connecting {
    /// Send the browser here; the provider comes back to the callback with `state`.
    Authorize {
        authorization_url: String,
        state: String,
        expires_in: i64,
    },
    Connected(ConnectionView),
}

impl ConnectProvider {
    pub async fn execute(self, ports: &Ports) -> Result<Connecting, AppError> {
        let now = ports.clock.now();
        let user_id = self.principal.user_id;
        let slug = self.provider_slug;
        let connection_id = self.connection_id;
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            Some(user_id),
            EventPayload::ProviderConnectionAttempted {
                provider_slug: slug.to_string(),
                connection_id: self.connection_id,
            },
        );
        let result = self.connect(ports, &mut events).await;
        if let Err(e) = &result {
            events.push(
                Some(user_id),
                EventPayload::ProviderConnectionFailed {
                    provider_slug: slug.to_string(),
                    connection_id,
                    reason: e.to_string(),
                },
            );
        }
        events.append_to_outbox(ports).await;
        result
    }

    async fn connect(self, ports: &Ports, events: &mut EventBatch) -> Result<Connecting, AppError> {
        let reconnect = match self.connection_id {
            Some(id) => Some(self.reconnectable(ports, id).await?),
            None => None,
        };
        match self.provider_slug {
            ProviderSlug::Schwab => self.authorize(ports).await,
            ProviderSlug::Alpaca => self.connect_keys(ports, reconnect, events).await,
            ProviderSlug::ChaseFile => Err(AppError::validation(
                "chase_file is connected by importing a statement file (POST /api/v1/imports).",
                vec![],
            )),
        }
    }

    async fn reconnectable(&self, ports: &Ports, id: Uuid) -> Result<ProviderConnection, AppError> {
        let connection = owned_connection(ports, self.principal.user_id, id).await?;
        if connection.provider_slug != self.provider_slug {
            return Err(AppError::validation(
                format!(
                    "Connection {id} is a {} connection, not {}.",
                    connection.provider_slug, self.provider_slug
                ),
                vec![],
            ));
        }
        use ConnectionStatus::*;
        if !matches!(connection.status, Expired | Revoked | Failed) {
            return Err(AppError::Conflict(format!(
                "Only an expired, revoked or failed connection can be reconnected; this one is {}.",
                connection.status
            )));
        }
        Ok(connection)
    }

    async fn authorize(self, ports: &Ports) -> Result<Connecting, AppError> {
        let now = ports.clock.now();
        let token = ports.identity.opaque_tokens.refresh_token();
        let redirect_uri = self
            .redirect_uri
            .unwrap_or_else(|| ports.providers.settings.default_redirect_uri.clone());
        let state = OAuthState {
            hash: token.hash,
            user_id: self.principal.user_id,
            provider_slug: self.provider_slug,
            alias: self.alias,
            redirect_uri: redirect_uri.clone(),
            connection_id: self.connection_id,
            created_at: now,
            expires_at: now + OAUTH_STATE_TTL,
        };
        ports.providers.oauth_states.put(&state).await?;
        let authorization_url = ports
            .providers
            .schwab_oauth
            .authorization_url(&token.plaintext, &redirect_uri);
        Ok(Connecting::Authorize {
            authorization_url,
            state: token.plaintext,
            expires_in: OAUTH_STATE_TTL.num_seconds(),
        })
    }

    async fn connect_keys(
        self,
        ports: &Ports,
        reconnect: Option<ProviderConnection>,
        events: &mut EventBatch,
    ) -> Result<Connecting, AppError> {
        let (Some(key_id), Some(secret)) = (self.api_key, self.api_secret) else {
            return Err(AppError::validation(
                "api_key and api_secret are required",
                vec![],
            ));
        };
        let credentials = Credentials::ApiKey { key_id, secret };
        // The keys are checked before anything is stored.
        match ports.providers.alpaca.accounts(&credentials).await {
            Ok(_) => {}
            Err(ProviderError::Rejected(_) | ProviderError::TokenExpired) => {
                return Err(AppError::validation(
                    "Alpaca refused these API keys. Check the key id and secret (paper and live keys differ).",
                    vec![],
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let grant = grant(ports, &credentials)?;
        let now = ports.clock.now();
        let reconnected = reconnect.is_some();
        let mut connection = reconnect.unwrap_or_else(|| {
            ProviderConnection::pending(
                Uuid::now_v7(),
                self.principal.user_id,
                self.provider_slug,
                self.alias.clone(),
                now,
            )
        });
        if self.alias.is_some() {
            connection.alias = self.alias;
        }
        connection
            .connect(grant, now)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        let succeeded = events.event(
            Some(connection.user_id),
            EventPayload::ProviderConnectionSucceeded {
                provider_slug: connection.provider_slug.to_string(),
                connection_id: connection.id,
                alias: connection.alias.clone(),
                reconnected,
            },
        );
        let outbox = events.outbox_with([succeeded]);
        let connections = &ports.providers.connections;
        if reconnected {
            connections
                .save(&connection, &outbox)
                .await
                .map_err(stale)?;
        } else {
            connections.create(&connection, &outbox).await?;
        }
        events.mark_outboxed();
        Ok(Connecting::Connected(ConnectionView::of(&connection, now)))
    }
}

/// A connection saved by someone else meanwhile: the user's request lost a race.
pub(crate) fn stale(e: dashtam_domain::StoreError) -> AppError {
    match e {
        dashtam_domain::StoreError::Conflict(_) => {
            AppError::Conflict("The connection changed meanwhile; please try again.".into())
        }
        e => e.into(),
    }
}
