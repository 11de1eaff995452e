//! One round: a fresh user and connection, the timed sync (with its phases and calls),
//! the checks (10,000 stored, a repeat creates 0), and the baseline over the same items.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use dashtam_application::Ports;
use uuid::Uuid;

use crate::{
    BoxError, baseline, flow, report::RoundResult, rss, sandbox_proc::SandboxProcess, stack::Calls,
    timed::Phases,
};

/// What the bulk profile holds.
pub const EXPECTED: u64 = 10_000;

pub struct Bench {
    pub ports: Ports,
    /// Counts the sync's calls (the table's client).
    pub calls: Calls,
    pub phases: Arc<Phases>,
    /// The baseline's own client and counter.
    pub baseline_client: aws_sdk_dynamodb::Client,
    pub baseline_calls: Calls,
    pub table: String,
    /// The items of the last sync, for the next baseline.
    pub items: Vec<baseline::Item>,
    pub peak_after_first_sync: Option<u64>,
}

impl Bench {
    pub async fn round(
        &mut self,
        round: usize,
        sandbox: &mut SandboxProcess,
    ) -> Result<RoundResult, BoxError> {
        let principal = flow::user(&self.ports, &format!("{round}-{}", Uuid::now_v7())).await?;
        let connection = flow::connect(&self.ports, sandbox, &principal).await?;
        let baseline_first = round.is_multiple_of(2) && !self.items.is_empty();
        let mut baseline = if baseline_first {
            Some(self.baseline().await?)
        } else {
            None
        };

        self.calls.take();
        self.phases.take();
        let before = sandbox.counters().await?;
        let started = Instant::now();
        let report = flow::sync_transactions(&self.ports, &principal, connection).await?;
        let total = started.elapsed();
        let sync_calls = self.calls.take();
        let phases = self.phases.take();
        let provider = sandbox.counters().await? - before;
        if self.peak_after_first_sync.is_none() {
            self.peak_after_first_sync = rss::own_peak_kib();
        }
        if report.created != EXPECTED {
            return Err(format!(
                "the sync created {} transactions, not {EXPECTED}",
                report.created
            )
            .into());
        }
        let accounts = flow::accounts(&self.ports, &principal, connection).await?;
        let stored: u64 = accounts.iter().map(|a| a.transaction_count).sum();
        if stored != EXPECTED {
            return Err(format!("the accounts count {stored} transactions, not {EXPECTED}").into());
        }

        let started = Instant::now();
        let repeat = flow::sync_transactions(&self.ports, &principal, connection).await?;
        let repeat_time = started.elapsed();
        let repeat_calls = self.calls.take();
        if repeat.created != 0 || repeat.unchanged != EXPECTED {
            return Err(format!(
                "the repeat sync created {} and found {} known, not 0 and {EXPECTED}",
                repeat.created, repeat.unchanged
            )
            .into());
        }

        // This round's items (read untimed) are the next baseline's.
        let mut items = Vec::with_capacity(EXPECTED as usize);
        for account in &accounts {
            items.extend(
                baseline::items_of_account(&self.baseline_client, &self.table, account.id).await?,
            );
        }
        if items.len() as u64 != EXPECTED {
            return Err(format!(
                "read back {} transaction items, not {EXPECTED}",
                items.len()
            )
            .into());
        }
        self.items = items;
        if baseline.is_none() {
            baseline = Some(self.baseline().await?);
        }
        let (baseline_time, baseline_calls) = baseline.ok_or("no baseline")?;
        Ok(RoundResult {
            baseline_first,
            total,
            phases,
            sync_calls,
            provider,
            repeat_time,
            repeat_calls,
            baseline_time,
            baseline_calls,
        })
    }

    /// The BatchWriteItem loop over the last sync's items, into a fresh partition.
    async fn baseline(&self) -> Result<(Duration, BTreeMap<String, u64>), BoxError> {
        let items = baseline::rekeyed(&self.items);
        self.baseline_calls.take();
        let time = baseline::batch_write(&self.baseline_client, &self.table, items).await?;
        Ok((time, self.baseline_calls.take()))
    }
}
