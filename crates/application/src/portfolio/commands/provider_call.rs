//! Calling a provider on behalf of a connection: the credentials refreshed first when
//! they are about to lapse, and once more if the provider still says the token expired.

/// `with_fresh_token!(ports, connection, events, credentials, call)`: evaluates `call`
/// (an expression over `credentials`); on `ProviderError::TokenExpired` refreshes the
/// token (saving the connection) and evaluates it once more. A macro because an async
/// closure borrowing the use case's state cannot be proven `Send`.
macro_rules! with_fresh_token {
    ($ports:expr, $connection:expr, $events:expr, $credentials:ident, $call:expr) => {{
        match $call {
            Err(dashtam_domain::providers::ProviderError::TokenExpired) => {
                $credentials =
                    $crate::providers::usable_credentials($ports, $connection, $events, true)
                        .await?;
                $call
            }
            other => other,
        }
    }};
}
pub(crate) use with_fresh_token;

use dashtam_domain::providers::{ProviderClient, ProviderConnection};

use crate::{AppError, Ports};

/// The data client of the connection's provider.
pub(crate) fn client_of<'p>(
    ports: &'p Ports,
    connection: &ProviderConnection,
) -> Result<&'p std::sync::Arc<dyn ProviderClient>, AppError> {
    ports
        .providers
        .client(connection.provider_slug)
        .ok_or_else(|| {
            AppError::validation(
                format!(
                    "{} accounts are updated by importing files, not by syncing.",
                    connection.provider_slug
                ),
                vec![],
            )
        })
}

/// A sync's 5-minute claim on `key`: taken, or the 429 that says `what` was synced too
/// recently.
pub(crate) struct SyncClaim<'p> {
    ports: &'p Ports,
    user_id: uuid::Uuid,
    key: String,
    at: chrono::DateTime<chrono::Utc>,
}

impl<'p> SyncClaim<'p> {
    pub(crate) async fn take(
        ports: &'p Ports,
        user_id: uuid::Uuid,
        key: String,
        force: bool,
        what: &str,
    ) -> Result<Self, AppError> {
        let at = ports.clock.now();
        let claims = &ports.providers.sync_claims;
        if !claims
            .claim(user_id, &key, at, super::MIN_SYNC_INTERVAL, force)
            .await?
        {
            return Err(too_soon(what));
        }
        Ok(Self {
            ports,
            user_id,
            key,
            at,
        })
    }

    /// Gives the claim back after a failed sync, so the next one need not wait.
    pub(crate) async fn release(self) {
        let claims = &self.ports.providers.sync_claims;
        if let Err(e) = claims.release(self.user_id, &self.key, self.at).await {
            tracing::warn!(error = %e, "sync claim not released");
        }
    }
}

/// The 429 of a sync asked for again within its minimum interval.
fn too_soon(what: &str) -> AppError {
    AppError::TooSoon {
        detail: format!(
            "{what} were synced less than 5 minutes ago. Try again later, or pass force: true."
        ),
        retry_after: super::MIN_SYNC_INTERVAL.num_seconds().unsigned_abs(),
    }
}
