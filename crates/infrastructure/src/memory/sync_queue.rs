//! [`SyncQueue`] in memory: the scheduled round's messages for the in-process worker (the
//! local `--in-memory` stack and the tests), with receipts, visibility and postponements
//! as SQS has them, and its depth as [`QueueMetrics`].

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use dashtam_domain::{
    StoreError,
    platform::ports::{QueueDepth, QueueMetrics, QueueReading, QueueRole},
    portfolio::{ScheduledSync, SyncQueue},
};
use uuid::Uuid;

#[derive(Default)]
struct Queue {
    /// Waiting, each visible from its instant on.
    waiting: VecDeque<(Instant, ScheduledSync)>,
    /// Received, not yet deleted: receipt → message.
    in_flight: HashMap<String, ScheduledSync>,
    /// Every postponement asked for, in order.
    postponed: Vec<(ScheduledSync, Duration)>,
    sent_calls: u64,
}

/// A queue of scheduled syncs in process.
#[derive(Default)]
pub struct MemorySyncQueue {
    inner: Mutex<Queue>,
}

impl MemorySyncQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Up to `max` visible messages with their receipts; they stay in flight until
    /// [`delete`](Self::delete)d or [`release`](Self::release)d.
    pub fn receive(&self, max: usize) -> Vec<(String, ScheduledSync)> {
        let mut q = self.lock();
        let now = Instant::now();
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        while let Some((visible_at, m)) = q.waiting.pop_front() {
            if out.len() < max && visible_at <= now {
                out.push((Uuid::now_v7().to_string(), m));
            } else {
                keep.push_back((visible_at, m));
            }
        }
        q.waiting = keep;
        for (receipt, m) in &out {
            q.in_flight.insert(receipt.clone(), m.clone());
        }
        out
    }

    /// The message was handled.
    pub fn delete(&self, receipt: &str) {
        self.lock().in_flight.remove(receipt);
    }

    /// The message failed: visible again (at once, unless it was postponed).
    pub fn release(&self, receipt: &str) {
        let mut q = self.lock();
        if let Some(m) = q.in_flight.remove(receipt) {
            q.waiting.push_back((Instant::now(), m));
        }
    }

    /// Every postponement so far (message, delay).
    pub fn postponed(&self) -> Vec<(ScheduledSync, Duration)> {
        self.lock().postponed.clone()
    }

    /// Messages waiting or in flight.
    pub fn len(&self) -> usize {
        let q = self.lock();
        q.waiting.len() + q.in_flight.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// SendMessageBatch calls an SQS queue would have taken (ten messages each).
    pub fn send_calls(&self) -> u64 {
        self.lock().sent_calls
    }
}

#[async_trait]
impl SyncQueue for MemorySyncQueue {
    async fn send(&self, messages: &[ScheduledSync]) -> Result<u64, StoreError> {
        let mut q = self.lock();
        let now = Instant::now();
        q.waiting.extend(messages.iter().cloned().map(|m| (now, m)));
        q.sent_calls += messages.len().div_ceil(10) as u64;
        Ok(messages.len() as u64)
    }

    async fn postpone(&self, receipt: &str, delay: Duration) -> Result<(), StoreError> {
        let mut q = self.lock();
        let Some(m) = q.in_flight.remove(receipt) else {
            return Err(StoreError::Unavailable(format!(
                "memory queue: receipt {receipt} is not in flight"
            )));
        };
        q.postponed.push((m.clone(), delay));
        q.waiting.push_back((Instant::now() + delay, m));
        Ok(())
    }
}

#[async_trait]
impl QueueMetrics for MemorySyncQueue {
    async fn readings(&self) -> Vec<QueueReading> {
        let q = self.lock();
        let now = Instant::now();
        let visible = q.waiting.iter().filter(|(at, _)| *at <= now).count() as u64;
        let depth = QueueDepth {
            visible,
            in_flight: q.in_flight.len() as u64,
            delayed: q.waiting.len() as u64 - visible,
        };
        vec![
            QueueReading {
                name: "sync".to_owned(),
                role: QueueRole::Queue,
                depth: Ok(depth),
            },
            QueueReading {
                name: "sync".to_owned(),
                role: QueueRole::DeadLetter,
                depth: Ok(QueueDepth::default()),
            },
        ]
    }
}

/// Several queues' readings as one, in order.
pub struct QueueMetricsSet(pub Vec<Arc<dyn QueueMetrics>>);

#[async_trait]
impl QueueMetrics for QueueMetricsSet {
    async fn readings(&self) -> Vec<QueueReading> {
        let mut out = Vec::new();
        for q in &self.0 {
            out.extend(q.readings().await);
        }
        out
    }
}
