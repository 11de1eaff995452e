use chrono::Duration;
use dashtam_domain::{
    identity::entities::Session,
    platform::events::{EventContext, EventPayload},
};
use futures::{StreamExt, stream};

use super::Counts;
use crate::{AppError, EventBatch, Ports};

/// Sessions expiring within this window get their notice.
pub const NOTICE_WINDOW: Duration = Duration::minutes(15);
/// Conditional marks in flight at once.
const MARK_CONCURRENCY: usize = 8;

/// `SessionExpiring` once per live session that expires within [`NOTICE_WINDOW`].
///
/// Exactly one notice per session however often (or concurrently) this runs: the session
/// is marked with a conditional write first, and only the run whose mark succeeded emits
/// the event. Revoked or already expired sessions are never marked.
pub struct NotifyExpiringSessions;

impl NotifyExpiringSessions {
    pub async fn execute(self, ports: &Ports) -> Result<Counts, AppError> {
        let now = ports.clock.now();
        let due = ports
            .identity
            .expiry_notices
            .due_for_notice(now, now + NOTICE_WINDOW)
            .await?;
        let events = EventBatch::new(&EventContext::default(), now);
        let candidates = due.len() as u64;
        // Owned sessions: a closure over references here makes the future's Send-ness
        // depend on higher-ranked lifetimes the compiler cannot prove for `tokio::spawn`.
        let live: Vec<Session> = due.into_iter().filter(|s| s.is_active(now)).collect();
        let marks: Vec<_> = stream::iter(live)
            .map(|session| {
                // The notice travels with the mark: it exists exactly when the mark does.
                let notice = events.event(
                    Some(session.user_id),
                    EventPayload::SessionExpiring {
                        session_id: session.id,
                        expires_at: session.expires_at,
                        expires_in_seconds: (session.expires_at - now).num_seconds(),
                    },
                );
                async move {
                    ports
                        .identity
                        .expiry_notices
                        .mark_notified(session.user_id, session.id, now, &[notice])
                        .await
                }
            })
            .buffer_unordered(MARK_CONCURRENCY)
            .collect()
            .await;
        let mut notified = 0u64;
        let mut failure = None;
        for marked in marks {
            match marked {
                Ok(true) => notified += 1,
                Ok(false) => {} // another run, or a revocation, got there first
                Err(e) => failure = Some(e),
            }
        }
        if let Some(e) = failure {
            return Err(e.into());
        }
        Ok(Counts::from([
            ("candidates".to_owned(), candidates),
            ("notified".to_owned(), notified),
        ]))
    }
}
