use dashtam_domain::{
    platform::events::{EventContext, EventPayload},
    providers::{ProviderConnection, ProviderError, ProviderSlug},
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    providers::{
        ConnectionView,
        commands::connect_provider::stale,
        credentials::{grant, oauth_credentials},
    },
};

/// Finishes an OAuth consent: the provider came back with a code and our state.
pub struct CompleteOAuth {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider named in the callback URL (`/oauth/{slug}/callback`), if any.
    pub provider_slug: Option<ProviderSlug>,
    /// The provider's own refusal (`error` / `error_description`), if any.
    pub provider_error: Option<(String, Option<String>)>,
    pub context: EventContext,
}

/// Why a callback did not connect anything; each has its own page and status.
#[derive(Debug, thiserror::Error)]
pub enum OAuthFailure {
    #[error("the user or the provider declined: {0}")]
    Denied(String),
    #[error("the callback carries no authorization code")]
    MissingCode,
    #[error("the callback carries no state")]
    MissingState,
    #[error("the state is unknown, already used or expired")]
    InvalidState,
    #[error("the state was issued for another provider")]
    ProviderMismatch,
    #[error("the provider refused to exchange the code: {0}")]
    ExchangeFailed(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<OAuthFailure> for AppError {
    fn from(f: OAuthFailure) -> Self {
        match f {
            OAuthFailure::App(e) => e,
            OAuthFailure::ExchangeFailed(m) => AppError::Upstream(m),
            f @ (OAuthFailure::MissingCode | OAuthFailure::MissingState) => {
                AppError::validation(f.to_string(), vec![])
            }
            f => AppError::validation(format!("Connection not completed: {f}."), vec![]),
        }
    }
}

impl CompleteOAuth {
    pub async fn execute(self, ports: &Ports) -> Result<ConnectionView, OAuthFailure> {
        let now = ports.clock.now();
        let mut events = EventBatch::new(&self.context, now);
        let result = self.complete(ports, &mut events).await;
        events.append_to_outbox(ports).await;
        result
    }

    async fn complete(
        self,
        ports: &Ports,
        events: &mut EventBatch,
    ) -> Result<ConnectionView, OAuthFailure> {
        let state = self
            .state
            .filter(|s| !s.is_empty())
            .ok_or(OAuthFailure::MissingState)?;
        // The state is consumed first, whatever follows: one state, one attempt.
        let hash = ports.identity.opaque_tokens.hash(&state);
        let Some(started) = ports
            .providers
            .oauth_states
            .take(&hash)
            .await
            .map_err(AppError::from)?
        else {
            // Unknown, replayed or forged: nobody to attribute it to, but on the record.
            events.push(
                None,
                EventPayload::ProviderConnectionFailed {
                    provider_slug: self
                        .provider_slug
                        .map_or_else(|| "unknown".to_owned(), |s| s.to_string()),
                    connection_id: None,
                    reason: "invalid_state".into(),
                },
            );
            return Err(OAuthFailure::InvalidState);
        };
        let user_id = Some(started.user_id);
        let slug = started.provider_slug;
        let fail = |events: &mut EventBatch, reason: &str| {
            events.push(
                user_id,
                EventPayload::ProviderConnectionFailed {
                    provider_slug: slug.to_string(),
                    connection_id: started.connection_id,
                    reason: reason.to_owned(),
                },
            );
        };
        let now = ports.clock.now();
        if started.is_expired(now) {
            fail(events, "state_expired");
            return Err(OAuthFailure::InvalidState);
        }
        if self.provider_slug.is_some_and(|s| s != slug) {
            fail(events, "provider_mismatch");
            return Err(OAuthFailure::ProviderMismatch);
        }
        if let Some((error, description)) = self.provider_error {
            fail(events, "denied");
            return Err(OAuthFailure::Denied(description.unwrap_or(error)));
        }
        let Some(code) = self.code.filter(|c| !c.is_empty()) else {
            fail(events, "missing_code");
            return Err(OAuthFailure::MissingCode);
        };
        let oauth = &ports.providers.schwab_oauth;
        // Schwab's code lives about 30 s: exchanged before anything else is read.
        let tokens = match oauth.exchange_code(&code, &started.redirect_uri).await {
            Ok(tokens) => tokens,
            Err(e) => {
                fail(events, "token_exchange_failed");
                return Err(match e {
                    ProviderError::Rejected(m) => OAuthFailure::ExchangeFailed(m),
                    e => OAuthFailure::App(e.into()),
                });
            }
        };
        let refresh = tokens
            .refresh_token
            .clone()
            .ok_or_else(|| OAuthFailure::ExchangeFailed("no refresh token issued".into()))?;
        let credentials =
            oauth_credentials(tokens, refresh, now + oauth.refresh_token_lifetime(), now);
        let grant = grant(ports, &credentials)?;
        let connections = &ports.providers.connections;
        let (mut connection, reconnected) = match started.connection_id {
            Some(id) => {
                let existing = connections
                    .find(started.user_id, id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
                (existing, true)
            }
            None => (
                ProviderConnection::pending(
                    Uuid::now_v7(),
                    started.user_id,
                    slug,
                    started.alias.clone(),
                    now,
                ),
                false,
            ),
        };
        if reconnected && started.alias.is_some() {
            connection.alias = started.alias.clone();
        }
        connection
            .connect(grant, now)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        let succeeded = events.event(
            user_id,
            EventPayload::ProviderConnectionSucceeded {
                provider_slug: slug.to_string(),
                connection_id: connection.id,
                alias: connection.alias.clone(),
                reconnected,
            },
        );
        let outbox = events.outbox_with([succeeded]);
        if reconnected {
            connections
                .save(&connection, &outbox)
                .await
                .map_err(stale)?;
        } else {
            connections
                .create(&connection, &outbox)
                .await
                .map_err(AppError::from)?;
        }
        events.mark_outboxed();
        Ok(ConnectionView::of(&connection, now))
    }
}
