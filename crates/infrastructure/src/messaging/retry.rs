//! Batched publishing with per-entry retries, shared by the EventBridge and SQS publishers.

use std::{future::Future, time::Duration};

use dashtam_domain::platform::{events::DomainEvent, ports::PublishError};

/// Attempts per batch (the first try included).
const MAX_ATTEMPTS: u32 = 3;

/// What one call left undelivered: the positions (in the entries sent) and why.
pub(super) type Rejected = Vec<(usize, String)>;

/// Pause before attempt `attempt + 1` (attempt counts from 1): 50 ms, 200 ms.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50 * 4_u64.pow(attempt.saturating_sub(1)))
}

/// Publishes `events` in batches of `batch_size`: `entry` builds each request entry,
/// `send` makes one call and reports the entries it rejected (or `Err` when the whole
/// call failed). Rejected entries are re-sent, `MAX_ATTEMPTS` in all. Every batch is
/// tried even if one fails; the error names each event that never made it.
pub(super) async fn publish_in_batches<E, Fut>(
    target: &str,
    events: &[DomainEvent],
    batch_size: usize,
    entry: impl Fn(&DomainEvent) -> Result<E, PublishError>,
    send: impl Fn(Vec<E>) -> Fut,
) -> Result<(), PublishError>
where
    E: Clone,
    Fut: Future<Output = Result<Rejected, String>>,
{
    let mut errors = Vec::new();
    for batch in events.chunks(batch_size) {
        if let Err(e) = send_batch(target, batch, &entry, &send).await {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(PublishError(errors.join("; ")))
    }
}

async fn send_batch<E, Fut>(
    target: &str,
    batch: &[DomainEvent],
    entry: &impl Fn(&DomainEvent) -> Result<E, PublishError>,
    send: &impl Fn(Vec<E>) -> Fut,
) -> Result<(), String>
where
    E: Clone,
    Fut: Future<Output = Result<Rejected, String>>,
{
    let mut pending: Vec<(&DomainEvent, E)> = batch
        .iter()
        .map(|e| entry(e).map(|x| (e, x)))
        .collect::<Result<_, _>>()
        .map_err(|e| e.0)?;
    let mut last_error = String::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let rejected: Vec<usize> =
            match send(pending.iter().map(|(_, x)| x.clone()).collect()).await {
                Ok(rejected) => {
                    if let Some((_, why)) = rejected.last() {
                        last_error.clone_from(why);
                    }
                    rejected.into_iter().map(|(i, _)| i).collect()
                }
                Err(why) => {
                    last_error = why;
                    (0..pending.len()).collect()
                }
            };
        pending = pending
            .into_iter()
            .enumerate()
            .filter(|(i, _)| rejected.contains(i))
            .map(|(_, p)| p)
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        tracing::warn!(attempt, failed = pending.len(), error = %last_error, target, "events not accepted");
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
    let ids: Vec<String> = pending
        .iter()
        .map(|(e, _)| e.event_id.to_string())
        .collect();
    Err(format!(
        "{target} did not accept events [{}] after {MAX_ATTEMPTS} attempts: {last_error}",
        ids.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::Utc;
    use dashtam_domain::platform::events::{EventContext, EventPayload};

    use super::*;

    fn event() -> DomainEvent {
        DomainEvent::new(
            EventPayload::AuthTokenRefreshAttempted {},
            None,
            &EventContext::default(),
            Utc::now(),
        )
    }

    #[tokio::test]
    async fn only_rejected_entries_are_resent_and_batches_are_bounded() {
        let events: Vec<DomainEvent> = (0..12).map(|_| event()).collect();
        let calls = Mutex::new(Vec::new());
        let result = publish_in_batches(
            "test",
            &events,
            10,
            |e| Ok(e.event_id),
            |sent: Vec<uuid::Uuid>| {
                let first_try = !calls
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|c: &Vec<uuid::Uuid>| c.contains(&sent[0]));
                calls.lock().unwrap().push(sent.clone());
                // The first call of each batch rejects its second entry once.
                async move {
                    Ok(if first_try && sent.len() > 1 {
                        vec![(1, "Throttled".into())]
                    } else {
                        vec![]
                    })
                }
            },
        )
        .await;
        assert!(result.is_ok());
        let sizes: Vec<usize> = calls.lock().unwrap().iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 1, 2, 1]);
    }

    #[tokio::test]
    async fn persistent_failures_name_the_lost_events() {
        let events = vec![event()];
        let result = publish_in_batches(
            "bus `b`",
            &events,
            10,
            |e| Ok(e.event_id),
            |_: Vec<uuid::Uuid>| async { Err::<Rejected, _>("down".to_owned()) },
        )
        .await;
        let message = result.unwrap_err().0;
        assert!(
            message.contains(&events[0].event_id.to_string()) && message.contains("down"),
            "{message}"
        );
    }
}
