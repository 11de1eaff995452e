use chrono::{DateTime, Duration, Utc};
use dashtam_domain::{
    Conflict, StoreError,
    platform::{
        entities::Job,
        events::{EventContext, EventPayload},
    },
    providers::{ConnectionStatus, ProviderConnection},
};
use futures::{StreamExt, stream};

use crate::{AppError, EventBatch, Ports, platform::jobs::Counts, providers::usable_credentials};

/// Grants lapsing within this get their notice (Schwab's refresh token: 7 days after
/// consent, so the notice comes on the sixth day).
pub const GRANT_NOTICE_WINDOW: Duration = Duration::hours(24);
/// Connections cared for at once (each may call the provider).
const CONCURRENCY: usize = 8;

/// What token care did to one connection.
#[derive(Debug, Default)]
struct Care {
    refreshed: bool,
    refresh_failed: bool,
    expired: bool,
    notified: bool,
}

/// Every 15 minutes, for each active connection: an OAuth access token that lapses
/// before the next run is refreshed now; a grant (refresh token) that lapses within a
/// day gets one `ProviderTokenExpiring` (and its email), marked on the connection in the
/// same conditional write, so racing runs notify once; a refresh the provider refuses —
/// or a grant already lapsed — marks the connection expired with
/// `ProviderTokenRefreshFailed { needs_reauth: true }` (and a reconnect email).
pub struct CareForTokens;

impl CareForTokens {
    pub async fn execute(self, ports: &Ports) -> Result<Counts, AppError> {
        let now = ports.clock.now();
        let active: Vec<ProviderConnection> = ports
            .providers
            .connections
            .list_scheduled()
            .await?
            .into_iter()
            .filter(|c| c.status == ConnectionStatus::Active && c.is_connected())
            .collect();
        let checked = active.len() as u64;
        let results: Vec<Result<Care, AppError>> = stream::iter(active)
            .map(|c| care(ports, c, now))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut counts = Counts::from([
            ("checked".to_owned(), checked),
            ("refreshed".to_owned(), 0),
            ("refresh_failed".to_owned(), 0),
            ("expired".to_owned(), 0),
            ("expiring_notified".to_owned(), 0),
        ]);
        let mut failure = None;
        for r in results {
            match r {
                Ok(care) => {
                    for (key, hit) in [
                        ("refreshed", care.refreshed),
                        ("refresh_failed", care.refresh_failed),
                        ("expired", care.expired),
                        ("expiring_notified", care.notified),
                    ] {
                        *counts.entry(key.to_owned()).or_default() += u64::from(hit);
                    }
                }
                Err(e) => failure = Some(e),
            }
        }
        // A store failure fails the run (it is retried; every step is conditional); a
        // provider failure is counted and waits for the next run.
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(counts)
    }
}

async fn care(
    ports: &Ports,
    mut connection: ProviderConnection,
    now: DateTime<Utc>,
) -> Result<Care, AppError> {
    let mut care = Care::default();
    let mut events = EventBatch::new(&EventContext::default(), now);
    if connection
        .grant_expiry_due(now, GRANT_NOTICE_WINDOW)
        .is_some()
    {
        care.notified = notify_grant_expiry(ports, &mut connection, now).await?;
    }
    let lapsed = connection.refresh_expires_at.is_some_and(|t| t <= now);
    let ahead = Job::TokenCare.period();
    if connection.is_connected() && (lapsed || connection.access_expiring(now, ahead)) {
        match usable_credentials(ports, &mut connection, &mut events, true).await {
            Ok(_) => care.refreshed = true,
            Err(_) if connection.status == ConnectionStatus::Expired => care.expired = true,
            Err(e @ (AppError::Internal(_) | AppError::Unavailable(_))) => {
                events.append_to_outbox(ports).await;
                return Err(e);
            }
            Err(e) => {
                tracing::warn!(connection = %connection.id, error = %e, "token not refreshed ahead of time");
                care.refresh_failed = true;
            }
        }
    }
    events.append_to_outbox(ports).await;
    Ok(care)
}

/// Marks the notice on the connection with the event, in one conditional write. True when
/// this run's write made it; false when another run (or any other write) got there first
/// and the notice is no longer due.
async fn notify_grant_expiry(
    ports: &Ports,
    connection: &mut ProviderConnection,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let events = EventBatch::new(&EventContext::default(), now);
    for _ in 0..2 {
        let Some(expires_at) = connection.grant_expiry_due(now, GRANT_NOTICE_WINDOW) else {
            return Ok(false);
        };
        let mut marked = connection.clone();
        if marked.mark_grant_expiry_notified(now).is_err() {
            return Ok(false);
        }
        let notice = events.event(
            Some(connection.user_id),
            EventPayload::ProviderTokenExpiring {
                connection_id: connection.id,
                provider_slug: connection.provider_slug.to_string(),
                expires_at,
            },
        );
        match ports.providers.connections.save(&marked, &[notice]).await {
            Ok(()) => {
                marked.version += 1;
                *connection = marked;
                return Ok(true);
            }
            Err(StoreError::Conflict(Conflict::StaleConnection)) => {
                // Someone wrote first (a racing run, a sync, a refresh): decide again on
                // what they stored.
                match ports
                    .providers
                    .connections
                    .find(connection.user_id, connection.id)
                    .await?
                {
                    Some(current) => *connection = current,
                    None => return Ok(false),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}
