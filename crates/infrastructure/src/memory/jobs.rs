//! The scheduled jobs' ports in memory: last runs, expiry notices and purges over the
//! [`MemoryStore`], and the in-process event channel's depth as [`QueueMetrics`].

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashtam_domain::{
    StoreError,
    identity::{entities::Session, ports::SessionExpiryNotices},
    platform::{
        entities::{Job, JobRun},
        events::DomainEvent,
        ports::{
            EventPublisher, ExpiredItems, JobRuns, ONE_TIME_TOKEN_RETENTION, PublishError,
            PurgeCounts, QueueDepth, QueueMetrics, QueueReading, QueueRole,
        },
    },
};
use uuid::Uuid;

use super::MemoryStore;

#[derive(Default)]
pub(crate) struct JobState {
    runs: HashMap<Job, JobRun>,
    /// (user, session) → when its expiry notice was marked.
    notices: HashMap<(Uuid, Uuid), DateTime<Utc>>,
}

#[async_trait]
impl JobRuns for MemoryStore {
    async fn record(&self, run: &JobRun) -> Result<(), StoreError> {
        let mut s = self.state()?;
        match s.jobs.runs.get(&run.job) {
            Some(newer) if newer.started_at > run.started_at => {}
            _ => {
                s.jobs.runs.insert(run.job, run.clone());
            }
        }
        Ok(())
    }

    async fn last(&self, job: Job) -> Result<Option<JobRun>, StoreError> {
        Ok(self.state()?.jobs.runs.get(&job).cloned())
    }
}

#[async_trait]
impl SessionExpiryNotices for MemoryStore {
    async fn due_for_notice(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        let s = self.state()?;
        let mut due: Vec<Session> = s
            .sessions
            .values()
            .filter(|x| x.expires_at > after && x.expires_at <= until && !x.is_revoked())
            .filter(|x| !s.jobs.notices.contains_key(&(x.user_id, x.id)))
            .cloned()
            .collect();
        due.sort_by_key(|x| (x.expires_at, x.id));
        Ok(due)
    }

    async fn mark_notified(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        at: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> Result<bool, StoreError> {
        let mut s = self.state()?;
        let live = s
            .sessions
            .get(&(user_id, session_id))
            .is_some_and(|x| x.is_active(at));
        if !live || s.jobs.notices.contains_key(&(user_id, session_id)) {
            return Ok(false);
        }
        s.jobs.notices.insert((user_id, session_id), at);
        s.record(events);
        Ok(true)
    }
}

#[async_trait]
impl ExpiredItems for MemoryStore {
    /// Memory has no index to bound the search, so `since` does not narrow it: everything
    /// past its retention goes, which is what the DynamoDB adapter converges to.
    async fn purge(
        &self,
        _since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<PurgeCounts, StoreError> {
        let mut s = self.state()?;
        let tokens_before = s.one_time.len();
        s.one_time
            .retain(|_, t| t.expires_at + ONE_TIME_TOKEN_RETENTION >= now);
        let sessions_before = s.sessions.len();
        s.sessions.retain(|_, x| x.expires_at >= now);
        let (tokens, sessions) = (
            tokens_before - s.one_time.len(),
            sessions_before - s.sessions.len(),
        );
        let live = &s.sessions;
        let stale: Vec<_> = s
            .jobs
            .notices
            .keys()
            .filter(|k| !live.contains_key(k))
            .copied()
            .collect();
        for k in stale {
            s.jobs.notices.remove(&k);
        }
        Ok(PurgeCounts {
            one_time_tokens: tokens as u64,
            sessions: sessions as u64,
        })
    }
}

/// In-memory mode's only queue: the channel from the publisher to the in-process
/// consumers. There is no redelivery in memory, so an event whose consumer failed is
/// dropped after logging; the "dead-letter" count says how many that were.
#[derive(Debug, Default)]
pub struct InProcessQueue {
    published: AtomicU64,
    taken: AtomicU64,
    finished: AtomicU64,
    failed: AtomicU64,
}

impl InProcessQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Counts what `inner` publishes successfully.
    pub fn counting(self: &Arc<Self>, inner: Arc<dyn EventPublisher>) -> CountingPublisher {
        CountingPublisher {
            inner,
            queue: self.clone(),
        }
    }

    /// A consumer took an event off the channel.
    pub fn taken(&self) {
        self.taken.fetch_add(1, Ordering::SeqCst);
    }

    /// The consumers are done with an event; `ok = false` when one of them failed.
    pub fn finished(&self, ok: bool) {
        if !ok {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl QueueMetrics for InProcessQueue {
    async fn readings(&self) -> Vec<QueueReading> {
        let published = self.published.load(Ordering::SeqCst);
        let taken = self.taken.load(Ordering::SeqCst);
        let finished = self.finished.load(Ordering::SeqCst);
        vec![
            QueueReading {
                name: "in-process".to_owned(),
                role: QueueRole::Queue,
                depth: Ok(QueueDepth {
                    visible: published.saturating_sub(taken),
                    in_flight: taken.saturating_sub(finished),
                    delayed: 0,
                }),
            },
            QueueReading {
                name: "in-process".to_owned(),
                role: QueueRole::DeadLetter,
                depth: Ok(QueueDepth {
                    visible: self.failed.load(Ordering::SeqCst),
                    ..QueueDepth::default()
                }),
            },
        ]
    }
}

/// Wraps the in-process publisher to count what enters the channel.
pub struct CountingPublisher {
    inner: Arc<dyn EventPublisher>,
    queue: Arc<InProcessQueue>,
}

#[async_trait]
impl EventPublisher for CountingPublisher {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), PublishError> {
        self.inner.publish(events).await?;
        self.queue
            .published
            .fetch_add(events.len() as u64, Ordering::SeqCst);
        Ok(())
    }
}
