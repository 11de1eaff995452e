use chrono::{DateTime, Utc};
use dashtam_domain::{
    portfolio::ScheduledSync,
    providers::{ConnectionStatus, CredentialType, ProviderConnection},
};

use crate::{AppError, Ports, platform::jobs::Counts};

/// The round a dispatcher run at `now` belongs to: its UTC hour (`2026-12-01T12Z`). Two
/// invocations of one tick (EventBridge delivers at least once, and retries a failed
/// run) share it, so their messages are one round's duplicates.
pub fn run_id(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%HZ").to_string()
}

/// One message per active connection to the sync queue; connections that failed,
/// expired (or whose grant has lapsed) or were revoked are skipped and counted. The
/// connections come from the index of scheduled connections (no Scan), the messages go
/// out ten per call.
pub struct DispatchSyncs;

impl DispatchSyncs {
    pub async fn execute(self, ports: &Ports) -> Result<Counts, AppError> {
        let now = ports.clock.now();
        let run = run_id(now);
        let connections = ports.providers.connections.list_scheduled().await?;
        let mut counts = Counts::from([
            ("connections".to_owned(), connections.len() as u64),
            ("enqueued".to_owned(), 0),
            ("skipped_expired".to_owned(), 0),
            ("skipped_failed".to_owned(), 0),
            ("skipped_revoked".to_owned(), 0),
            ("skipped_file_import".to_owned(), 0),
        ]);
        let mut messages = Vec::new();
        for c in &connections {
            match skip_reason(c, now) {
                Some(reason) => *counts.entry(format!("skipped_{reason}")).or_default() += 1,
                None => messages.push(ScheduledSync {
                    run_id: run.clone(),
                    user_id: c.user_id,
                    connection_id: c.id,
                }),
            }
        }
        let sent = ports.portfolio.sync_queue.send(&messages).await?;
        counts.insert("enqueued".to_owned(), sent);
        tracing::info!(run_id = %run, ?counts, "scheduled sync round dispatched");
        Ok(counts)
    }
}

/// Why a round does not sync this connection, if it does not.
pub(crate) fn skip_reason(c: &ProviderConnection, now: DateTime<Utc>) -> Option<&'static str> {
    use ConnectionStatus::*;
    if c.provider_slug.info().credential_type == CredentialType::FileImport {
        // Statement files come when the user imports them: there is nothing to fetch.
        return Some("file_import");
    }
    match c.status {
        Active if c.needs_reauthentication(now) => Some("expired"),
        Active if !c.is_connected() => Some("failed"),
        Active => None,
        Expired => Some("expired"),
        Revoked => Some("revoked"),
        Failed => Some("failed"),
        Pending => Some("pending"),
        Disconnected => Some("disconnected"),
    }
}
