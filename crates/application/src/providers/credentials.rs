//! The credentials a provider call needs: opened, and refreshed first when the access
//! token is about to lapse (so a sync does not fail on an expired token).

use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Conflict, StoreError,
    platform::events::EventPayload,
    providers::{
        ConnectionStatus, Credentials, Grant, OAuthTokens, ProviderConnection, ProviderError,
        ProviderSlug,
    },
};
use secrecy::SecretString;

use crate::{AppError, EventBatch, Ports};

/// Refresh when the access token lapses within this (schwab-py uses the same leeway).
const REFRESH_LEEWAY: Duration = Duration::minutes(5);

/// What the user must do about a connection that cannot be used.
pub(crate) fn unusable(connection: &ProviderConnection) -> AppError {
    let slug = connection.provider_slug;
    AppError::Conflict(match connection.status {
        ConnectionStatus::Disconnected => format!(
            "This {slug} connection is disconnected. Connect {slug} again with POST /api/v1/providers."
        ),
        ConnectionStatus::Pending => format!(
            "This {slug} connection was never completed. Finish the provider's consent first."
        ),
        _ => format!(
            "This {slug} connection has {} and needs reauthentication. Reconnect it with POST /api/v1/providers and its connection_id.",
            connection.status
        ),
    })
}

/// Opens the connection's credentials, refreshing an OAuth access token that lapses
/// within five minutes (or at once with `force`). A refresh the provider refuses marks
/// the connection expired (saved with its event) and answers 409; `connection` is kept
/// up to date with what was saved.
pub(crate) async fn usable_credentials(
    ports: &Ports,
    connection: &mut ProviderConnection,
    events: &mut EventBatch,
    force_refresh: bool,
) -> Result<Credentials, AppError> {
    let now = ports.clock.now();
    if connection.refresh_expires_at.is_some_and(|t| t <= now)
        && connection.status == ConnectionStatus::Active
    {
        // The grant lapsed (Schwab: 7 days after consent); no call can succeed.
        expire(ports, connection, events, "refresh token lapsed").await?;
        return Err(unusable(connection));
    }
    if !connection.is_connected() {
        return Err(unusable(connection));
    }
    let credentials = open(ports, connection)?;
    let needs_refresh = matches!(credentials, Credentials::OAuth { .. })
        && (force_refresh || connection.access_expiring(now, REFRESH_LEEWAY));
    if !needs_refresh {
        return Ok(credentials);
    }
    refresh(ports, connection, credentials, events).await
}

fn open(ports: &Ports, connection: &ProviderConnection) -> Result<Credentials, AppError> {
    let sealed = connection
        .credentials
        .as_ref()
        .ok_or_else(|| unusable(connection))?;
    ports
        .providers
        .cipher
        .open(sealed)
        .map_err(|e| AppError::Internal(format!("connection {}: {e}", connection.id)))
}

/// Refreshes the access token now and saves the new credentials with the connection.
pub(crate) async fn refresh(
    ports: &Ports,
    connection: &mut ProviderConnection,
    credentials: Credentials,
    events: &mut EventBatch,
) -> Result<Credentials, AppError> {
    let Credentials::OAuth {
        refresh_token,
        refresh_expires_at,
        ..
    } = credentials
    else {
        return Err(AppError::validation(
            "Only OAuth connections have tokens to refresh; API keys do not expire.",
            vec![],
        ));
    };
    let user_id = Some(connection.user_id);
    let slug = connection.provider_slug;
    events.push(
        user_id,
        EventPayload::ProviderTokenRefreshAttempted {
            connection_id: connection.id,
            provider_slug: slug.to_string(),
        },
    );
    let oauth = match slug {
        ProviderSlug::Schwab => &ports.providers.schwab_oauth,
        other => {
            return Err(AppError::Internal(format!("{other} has no OAuth client")));
        }
    };
    match oauth.refresh(&refresh_token).await {
        Ok(tokens) => {
            let renewed =
                oauth_credentials(tokens, refresh_token, refresh_expires_at, ports.clock.now());
            save_refreshed(ports, connection, renewed, events).await
        }
        Err(ProviderError::Rejected(reason)) => {
            expire(ports, connection, events, &reason).await?;
            Err(unusable(connection))
        }
        Err(e) => {
            events.push(
                user_id,
                EventPayload::ProviderTokenRefreshFailed {
                    connection_id: connection.id,
                    provider_slug: slug.to_string(),
                    reason: e.to_string(),
                    needs_reauth: false,
                },
            );
            Err(e.into())
        }
    }
}

/// OAuth credentials from a code exchange or refresh; the refresh token's lapse stays
/// what the original consent set (refreshing does not extend it).
pub(crate) fn oauth_credentials(
    tokens: OAuthTokens,
    previous_refresh: SecretString,
    refresh_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Credentials {
    let lifetime = Duration::from_std(tokens.expires_in).unwrap_or(Duration::minutes(30));
    Credentials::OAuth {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token.unwrap_or(previous_refresh),
        access_expires_at: now + lifetime,
        refresh_expires_at,
    }
}

/// The grant of `credentials`, sealed.
pub(crate) fn grant(ports: &Ports, credentials: &Credentials) -> Result<Grant, AppError> {
    let sealed = ports
        .providers
        .cipher
        .seal(credentials)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(match credentials {
        Credentials::OAuth {
            access_expires_at,
            refresh_expires_at,
            ..
        } => Grant {
            sealed,
            access_expires_at: Some(*access_expires_at),
            refresh_expires_at: Some(*refresh_expires_at),
        },
        Credentials::ApiKey { .. } => Grant {
            sealed,
            access_expires_at: None,
            refresh_expires_at: None,
        },
    })
}

async fn save_refreshed(
    ports: &Ports,
    connection: &mut ProviderConnection,
    renewed: Credentials,
    events: &mut EventBatch,
) -> Result<Credentials, AppError> {
    let now = ports.clock.now();
    let mut updated = connection.clone();
    updated
        .refresh_credentials(grant(ports, &renewed)?, now)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let expires_at = updated.access_expires_at.unwrap_or(now);
    let succeeded = events.event(
        Some(connection.user_id),
        EventPayload::ProviderTokenRefreshSucceeded {
            connection_id: connection.id,
            provider_slug: connection.provider_slug.to_string(),
            expires_at,
        },
    );
    match ports
        .providers
        .connections
        .save(&updated, &events.outbox_with([succeeded]))
        .await
    {
        Ok(()) => {
            events.mark_outboxed();
            updated.version += 1;
            *connection = updated;
            Ok(renewed)
        }
        // Someone else saved it meanwhile (a concurrent refresh): use what they stored.
        Err(StoreError::Conflict(Conflict::StaleConnection)) => {
            let current = ports
                .providers
                .connections
                .find(connection.user_id, connection.id)
                .await?
                .ok_or_else(|| AppError::NotFound("Connection not found".into()))?;
            *connection = current;
            if !connection.is_connected() {
                return Err(unusable(connection));
            }
            open(ports, connection)
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks the connection expired (the provider refused its grant), with the event that
/// says so, and keeps `connection` as saved.
async fn expire(
    ports: &Ports,
    connection: &mut ProviderConnection,
    events: &mut EventBatch,
    reason: &str,
) -> Result<(), AppError> {
    let mut updated = connection.clone();
    if updated.expire(ports.clock.now()).is_err() {
        return Ok(());
    }
    let failed = events.event(
        Some(connection.user_id),
        EventPayload::ProviderTokenRefreshFailed {
            connection_id: connection.id,
            provider_slug: connection.provider_slug.to_string(),
            reason: reason.to_owned(),
            needs_reauth: true,
        },
    );
    match ports
        .providers
        .connections
        .save(&updated, &events.outbox_with([failed]))
        .await
    {
        Ok(()) => {
            events.mark_outboxed();
            updated.version += 1;
            *connection = updated;
            Ok(())
        }
        Err(StoreError::Conflict(Conflict::StaleConnection)) => {
            if let Some(current) = ports
                .providers
                .connections
                .find(connection.user_id, connection.id)
                .await?
            {
                *connection = current;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
