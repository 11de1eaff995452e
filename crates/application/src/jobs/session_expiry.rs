use chrono::Duration;
use dashtam_domain::events::{EventContext, EventPayload};

use super::Counts;
use crate::{AppError, EventBatch, Ports};

/// Sessions expiring within this window get their notice.
pub const NOTICE_WINDOW: Duration = Duration::minutes(15);

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
            .jobs
            .expiry_notices
            .due_for_notice(now, now + NOTICE_WINDOW)
            .await?;
        let mut events = EventBatch::new(&EventContext::default(), now);
        let mut notified = 0u64;
        let mut failure = None;
        for session in due.iter().filter(|s| s.is_active(now)) {
            match ports
                .jobs
                .expiry_notices
                .mark_notified(session.user_id, session.id, now)
                .await
            {
                Ok(true) => {
                    notified += 1;
                    events.push(
                        Some(session.user_id),
                        EventPayload::SessionExpiring {
                            session_id: session.id,
                            expires_at: session.expires_at,
                            expires_in_seconds: (session.expires_at - now).num_seconds(),
                        },
                    );
                }
                Ok(false) => {} // another run, or a revocation, got there first
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // The sessions marked so far must get their event even if a later mark failed:
        // they will never be picked again.
        events.publish(ports).await;
        if let Some(e) = failure {
            return Err(e.into());
        }
        Ok(Counts::from([
            ("candidates".to_owned(), due.len() as u64),
            ("notified".to_owned(), notified),
        ]))
    }
}
