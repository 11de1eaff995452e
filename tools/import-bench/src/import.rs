//! Part two of the import benchmark: the whole import through the emulated DynamoDB.
//! A stack is provisioned on the emulator (`DASHTAM_TEST_AWS_ENDPOINT`, else one the
//! testkit starts); each file is imported by `ImportFile` in a child of its own
//! ([`crate::import_child`]: wall time, DynamoDB calls by operation, peak RSS), then
//! imported again (every row skipped). The baseline, in the same run: a bare
//! BatchWriteItem loop (sync-bench's, 25 items a call) writing the very transaction items
//! the import stored, read back untimed and moved to fresh partitions.

use std::{collections::BTreeMap, path::Path, process::Stdio, time::Duration};

use dashtam_domain::imports::FileFormat;
use serde_json::Value;
use uuid::Uuid;

use crate::{BoxError, baseline, calls, calls::Calls, import_child, parse::mb};

/// The goals (issue 10): calls O(N/25) or better, peak RSS ≤ 64 MB.
const MAX_CALLS_PER_ROW: f64 = 1.0 / 25.0;
const MAX_PEAK_MB: f64 = 64.0;

pub struct ImportCase<'a> {
    pub what: &'static str,
    pub format: FileFormat,
    pub path: &'a Path,
}

struct Run {
    seconds: f64,
    calls: BTreeMap<String, u64>,
    created: u64,
    skipped: u64,
}

struct Outcome {
    what: &'static str,
    size_mb: f64,
    first: Run,
    repeat: Run,
    rss_before_kib: u64,
    peak_first_kib: u64,
    peak_repeat_kib: u64,
    baseline_items: usize,
    baseline: Duration,
    baseline_calls: BTreeMap<String, u64>,
}

pub async fn run(cases: &[ImportCase<'_>], transactions: usize) -> Result<bool, BoxError> {
    let stack = dashtam_testkit::provision_stack().await;
    let table = stack.var("DASHTAM_TABLE").to_owned();
    let baseline_calls = Calls::default();
    let baseline_client = baseline_calls.client(&stack.sdk);
    println!(
        "whole import: {transactions} transactions through ImportFile over the emulated \
         DynamoDB at {} (table {table}), each import in a child of its own",
        stack.endpoint
    );
    let mut outcomes = Vec::new();
    for case in cases {
        let json = child(case, &stack.endpoint, &table).await?;
        let first = run_of(&json, "first")?;
        let repeat = run_of(&json, "repeat")?;
        println!(
            "{}: import {:.1} s ({} created, {} skipped; {}), repeat {:.1} s ({} skipped; {})",
            case.what,
            first.seconds,
            first.created,
            first.skipped,
            calls::line(&first.calls),
            repeat.seconds,
            repeat.skipped,
            calls::line(&repeat.calls)
        );
        let mut items = Vec::new();
        for account in json["accounts"].as_array().into_iter().flatten() {
            let id: Uuid = account.as_str().unwrap_or_default().parse()?;
            items.extend(baseline::items_of_account(&baseline_client, &table, id).await?);
        }
        let baseline_items = items.len();
        let moved = baseline::rekeyed(&items);
        drop(items);
        baseline_calls.take();
        let took = baseline::batch_write(&baseline_client, &table, moved).await?;
        let baseline_calls = baseline_calls.take();
        println!(
            "{}: baseline BatchWriteItem of the {baseline_items} stored items {:.1} s ({})",
            case.what,
            took.as_secs_f64(),
            calls::line(&baseline_calls)
        );
        let whole = |key: &str| json[key].as_u64().unwrap_or(0);
        outcomes.push(Outcome {
            what: case.what,
            size_mb: std::fs::metadata(case.path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0),
            first,
            repeat,
            rss_before_kib: whole("rss_before_kib"),
            peak_first_kib: whole("peak_rss_first_kib"),
            peak_repeat_kib: whole("peak_rss_repeat_kib"),
            baseline_items,
            baseline: took,
            baseline_calls,
        });
    }
    Ok(report(&outcomes, transactions))
}

async fn child(case: &ImportCase<'_>, endpoint: &str, table: &str) -> Result<Value, BoxError> {
    let output = tokio::process::Command::new(std::env::current_exe()?)
        .arg(import_child::FLAG)
        .arg(case.format.as_str())
        .arg(case.path)
        .arg(endpoint)
        .arg(table)
        .stdin(Stdio::null())
        .output()
        .await?;
    if !output.status.success() {
        return Err(format!(
            "the import child of {} failed: {}",
            case.what,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn run_of(json: &Value, key: &str) -> Result<Run, BoxError> {
    let run = &json[key];
    let calls = run["calls"]
        .as_object()
        .ok_or("a child printed no calls")?
        .iter()
        .map(|(op, n)| (op.clone(), n.as_u64().unwrap_or(0)))
        .collect();
    Ok(Run {
        seconds: run["seconds"].as_f64().ok_or("a child printed no time")?,
        calls,
        created: run["created"].as_u64().unwrap_or(0),
        skipped: run["skipped"].as_u64().unwrap_or(0),
    })
}

/// The summary (Markdown, as the README shows it) and the goal lines.
fn report(outcomes: &[Outcome], transactions: usize) -> bool {
    let n = transactions as f64;
    let mut met = true;
    println!();
    println!(
        "| file ({transactions} transactions) | import | DynamoDB calls | calls per row | \
         peak RSS | baseline BatchWriteItem | import ÷ baseline | repeat import |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for o in outcomes {
        let first_total = calls::total(&o.first.calls);
        let per_row = first_total as f64 / n;
        let base = o.baseline.as_secs_f64();
        let ratio = if base > 0.0 {
            o.first.seconds / base
        } else {
            f64::INFINITY
        };
        let peak = mb(o.peak_first_kib.max(o.peak_repeat_kib));
        if o.first.created != transactions as u64
            || o.repeat.skipped != transactions as u64
            || o.baseline_items != transactions
        {
            println!(
                "{}: expected {transactions} created, then skipped, and stored: got {} created, \
                 {} skipped, {} stored",
                o.what, o.first.created, o.repeat.skipped, o.baseline_items
            );
            met = false;
        }
        met &= per_row <= MAX_CALLS_PER_ROW && peak <= MAX_PEAK_MB;
        println!(
            "| {}, {:.1} MB | {:.1} s | {first_total}: {} | {:.4} (1/{:.0}) | {:.1} MB \
             (first {:.1}, repeat {:.1}; {:.1} MB before) | {:.1} s, {} calls | {:.2}× | \
             {:.1} s, {} calls: {} |",
            o.what,
            o.size_mb,
            o.first.seconds,
            calls::line(&o.first.calls),
            per_row,
            if per_row > 0.0 { 1.0 / per_row } else { 0.0 },
            peak,
            mb(o.peak_first_kib),
            mb(o.peak_repeat_kib),
            mb(o.rss_before_kib),
            base,
            calls::total(&o.baseline_calls),
            ratio,
            o.repeat.seconds,
            calls::total(&o.repeat.calls),
            calls::line(&o.repeat.calls)
        );
    }
    println!();
    println!(
        "goals: DynamoDB calls ≤ N/25 and peak RSS ≤ {MAX_PEAK_MB} MB for the whole import: {}",
        if met { "met" } else { "not met" }
    );
    met
}
