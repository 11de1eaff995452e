//! The figures of each round and the summary table (medians over the rounds).

use std::{collections::BTreeMap, time::Duration};

use crate::{rss, sandbox_proc::SandboxCalls, timed::PhaseTimes};

pub struct RoundResult {
    pub baseline_first: bool,
    /// `SyncTransactions` end to end.
    pub total: Duration,
    pub phases: PhaseTimes,
    pub sync_calls: BTreeMap<String, u64>,
    pub provider: SandboxCalls,
    /// The same sync again: nothing new.
    pub repeat_time: Duration,
    pub repeat_calls: BTreeMap<String, u64>,
    pub baseline_time: Duration,
    pub baseline_calls: BTreeMap<String, u64>,
}

impl RoundResult {
    fn dynamo(&self) -> Duration {
        self.phases.dedupe + self.phases.write
    }

    pub fn line(&self, round: usize) -> String {
        format!(
            "round {round} ({} first): sync {} (fetch {}, dedupe {}, writes {}), repeat {}, \
             baseline {}",
            if self.baseline_first {
                "baseline"
            } else {
                "sync"
            },
            secs(self.total),
            secs(self.phases.fetch),
            secs(self.phases.dedupe),
            secs(self.phases.write),
            secs(self.repeat_time),
            secs(self.baseline_time),
        )
    }
}

pub struct Summary {
    pub rounds: Vec<RoundResult>,
    pub peak_after_first_sync: Option<u64>,
    pub peak_whole_run: Option<u64>,
    pub sandbox_peak: Option<u64>,
    pub load_before: String,
    pub load_after: String,
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// `/proc/loadavg`'s three averages, or "?" off Linux.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn mb(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".into(), |k| format!("{:.1} MB", rss::mb(k)))
}

impl Summary {
    fn median_of(&self, f: impl Fn(&RoundResult) -> Duration) -> Duration {
        median(self.rounds.iter().map(f).collect())
    }

    pub fn print(&self) {
        let base = self.median_of(|r| r.baseline_time);
        let ratio = |d: Duration| d.as_secs_f64() / base.as_secs_f64().max(f64::MIN_POSITIVE);
        let rows: [(&str, Duration); 7] = [
            ("baseline: BatchWriteItem loop", base),
            ("sync: SyncTransactions total", self.median_of(|r| r.total)),
            (
                "  provider fetch (sandbox)",
                self.median_of(|r| r.phases.fetch),
            ),
            (
                "  dedupe read (known_ids)",
                self.median_of(|r| r.phases.dedupe),
            ),
            ("  writes (insert_new)", self.median_of(|r| r.phases.write)),
            (
                "  DynamoDB phases (dedupe+writes)",
                self.median_of(RoundResult::dynamo),
            ),
            ("repeat sync (0 new)", self.median_of(|r| r.repeat_time)),
        ];
        println!();
        println!(
            "{:<36} {:>10} {:>12}",
            "median of the rounds", "time", "vs baseline"
        );
        for (label, d) in rows {
            println!("{label:<36} {:>10} {:>11.2}×", secs(d), ratio(d));
        }

        let first = &self.rounds[0];
        let same = self.rounds.iter().all(|r| {
            r.sync_calls == first.sync_calls
                && r.repeat_calls == first.repeat_calls
                && r.baseline_calls == first.baseline_calls
        });
        let mut ops: Vec<&String> = first
            .sync_calls
            .keys()
            .chain(first.repeat_calls.keys())
            .chain(first.baseline_calls.keys())
            .collect();
        ops.sort();
        ops.dedup();
        println!();
        println!(
            "{:<36} {:>10} {:>10} {:>10}   ({})",
            "DynamoDB calls",
            "sync",
            "repeat",
            "baseline",
            if same {
                "every round alike"
            } else {
                "round 1; rounds differ"
            }
        );
        let get = |m: &BTreeMap<String, u64>, op: &str| m.get(op).copied().unwrap_or(0);
        for op in ops {
            println!(
                "{:<36} {:>10} {:>10} {:>10}",
                format!("  {op}"),
                get(&first.sync_calls, op),
                get(&first.repeat_calls, op),
                get(&first.baseline_calls, op)
            );
        }
        println!(
            "{:<36} {:>10} {:>10} {:>10}",
            "  total",
            total(&first.sync_calls),
            total(&first.repeat_calls),
            total(&first.baseline_calls)
        );
        let p = first.provider;
        println!(
            "sandbox calls of the sync: {} transactions requests, {} Trader API in all, {} token",
            p.transactions, p.trader, p.token
        );

        println!();
        println!(
            "peak RSS (VmHWM) of this process: {} after the first sync, {} for the whole run \
             (the sandbox child: {}; the emulator is another process)",
            mb(self.peak_after_first_sync),
            mb(self.peak_whole_run),
            mb(self.sandbox_peak)
        );
        println!(
            "load average: {} before, {} after",
            self.load_before, self.load_after
        );

        let sync_ratio = ratio(self.median_of(|r| r.total));
        let dynamo_ratio = ratio(self.median_of(RoundResult::dynamo));
        let peak_mb = self.peak_whole_run.map(rss::mb);
        let time_met = sync_ratio <= 1.5;
        let rss_met = peak_mb.is_some_and(|m| m <= 64.0);
        println!(
            "goal: ≤ 1.5× baseline time, ≤ 64 MB RSS: {} (sync {sync_ratio:.2}× [{}], its \
             DynamoDB phases {dynamo_ratio:.2}×; peak {} [{}])",
            if time_met && rss_met {
                "met"
            } else {
                "not met"
            },
            if time_met { "met" } else { "not met" },
            mb(self.peak_whole_run),
            if rss_met { "met" } else { "not met" },
        );
    }
}
