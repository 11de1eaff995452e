//! `dashtam-coldstart`: measures Lambda cold starts locally, the way Lambda sees them.
//!
//! A minimal Lambda Runtime API emulator on loopback: each binary is started with a
//! controlled environment, and the tool records init time (spawn -> first `/next`),
//! first-invocation latency (`/next` -> `/response`) and peak RSS. Binaries are run
//! interleaved, round by round, together with a baseline (a bare `lambda_runtime`
//! hello-world), so that machine noise hits every binary alike and the init ratio
//! against the baseline is meaningful. See ARCHITECTURE.md, "Performance budgets".

mod args;
mod emulator;
mod report;
mod runtime_api;
mod stats;

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::body::Bytes;

use args::{Args, USAGE, parse_args};
use emulator::Launch;
use report::{
    BUDGET_INIT_RATIO, BUDGET_RSS_MB, BUDGET_SIZE_MB, Budgets, Report, Target, TargetReport,
    measure_size, print_table, ratio, unique_labels,
};

const DEFAULT_EVENT: &str = include_str!("../events/apigw-v2-get-not-found.json");

pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

async fn run(args: Args) -> Result<bool, String> {
    let default_event = match &args.event {
        Some(path) => (read_event(path)?, path.display().to_string()),
        None => (
            Bytes::from_static(DEFAULT_EVENT.as_bytes()),
            "built-in: API Gateway HTTP API v2 GET /__bench/not-found".to_owned(),
        ),
    };
    let mut events: HashMap<&str, (Bytes, String)> = HashMap::new();
    for (name, path) in &args.event_for {
        events.insert(name, (read_event(path)?, path.display().to_string()));
    }
    std::fs::create_dir_all(&args.log_dir)
        .map_err(|e| format!("--log-dir {}: {e}", args.log_dir.display()))?;

    let mut paths: Vec<PathBuf> = args.baseline.iter().cloned().collect();
    paths.extend(args.binaries.iter().cloned());
    let labels = unique_labels(&paths);
    let mut targets = Vec::with_capacity(paths.len());
    for (i, (path, label)) in paths.into_iter().zip(labels).enumerate() {
        let path = std::path::absolute(&path).unwrap_or(path);
        if !path.is_file() {
            return Err(format!("{}: not a file", path.display()));
        }
        let size = measure_size(&path, &args.log_dir)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (event, event_source) = events
            .get(file_name.as_str())
            .or_else(|| events.get(label.as_str()))
            .unwrap_or(&default_event)
            .clone();
        let log_file = args.log_dir.join(format!("{}.log", sanitize(&label)));
        let _ = std::fs::remove_file(&log_file);
        targets.push(Target {
            launch: Launch {
                function_name: sanitize(&label),
                path,
                event,
                extra_env: args.env.clone(),
                log_file,
                timeout: args.timeout,
            },
            label,
            event_source,
            is_baseline: i == 0 && args.baseline.is_some(),
            size,
            samples: Vec::new(),
            failure: None,
        });
    }

    let rounds = args.warmup + args.runs;
    let tty = std::io::stderr().is_terminal();
    eprintln!(
        "measuring {} binaries: {} warm-up + {} runs each, interleaved",
        targets.len(),
        args.warmup,
        args.runs
    );
    for round in 0..rounds {
        let measured = round >= args.warmup;
        if tty {
            if measured {
                eprint!("\rround {}/{}   ", round - args.warmup + 1, args.runs);
            } else {
                eprint!("\rwarm-up {}/{}   ", round + 1, args.warmup);
            }
        }
        // Rotate the order each round so that no binary always runs right after
        // another (or first, on a machine that has just been idle).
        let n = targets.len();
        for k in 0..n {
            let t = &mut targets[(round + k) % n];
            if t.failure.is_some() {
                continue;
            }
            let run_label = format!(
                "{}-{}{}",
                t.launch.function_name,
                if measured { "" } else { "w" },
                round
            );
            match emulator::cold_start(&t.launch, &run_label).await {
                Ok(sample) if measured => t.samples.push(sample),
                Ok(_) => {}
                Err(why) => {
                    eprintln!(
                        "\n{}: FAILED: {why}\n  log {}:\n{}",
                        t.label,
                        t.launch.log_file.display(),
                        indent(&log_tail(&t.launch.log_file, 15)),
                    );
                    t.failure = Some(why);
                }
            }
        }
    }
    if tty {
        eprintln!();
    }

    let baseline_init = targets
        .iter()
        .find(|t| t.is_baseline && t.failure.is_none())
        .and_then(|t| t.init())
        .map(|s| s.median);
    print_table(&targets, baseline_init, &args);

    if let Some(json_path) = &args.json {
        let report = Report {
            tool: "dashtam-coldstart",
            runs: args.runs,
            warmup: args.warmup,
            cpus: cpus(),
            timeout_s: args.timeout.as_secs_f64(),
            baseline: targets
                .iter()
                .find(|t| t.is_baseline)
                .map(|t| t.label.as_str()),
            budgets: Budgets {
                init_ratio: BUDGET_INIT_RATIO,
                size_mb: BUDGET_SIZE_MB,
                peak_rss_mb: BUDGET_RSS_MB,
            },
            results: targets
                .iter()
                .map(|t| {
                    let init = t.init();
                    let ratio = ratio(&init, baseline_init);
                    TargetReport {
                        label: &t.label,
                        path: t.launch.path.display().to_string(),
                        baseline: t.is_baseline,
                        ok: t.failure.is_none(),
                        failure: t.failure.as_deref(),
                        successful_runs: t.samples.len(),
                        size_bytes: t.size.on_disk,
                        stripped_size_bytes: t.size.stripped,
                        size_mb: t.size_mb(),
                        over_budget: t.over_budget(ratio),
                        init_ms: init,
                        first_invoke_ms: t.invoke(),
                        peak_rss_mb: t.rss(),
                        init_ratio: ratio,
                        event: &t.event_source,
                        response_status_code: t.status_code(),
                        log: t.launch.log_file.display().to_string(),
                    }
                })
                .collect(),
        };
        if let Some(dir) = json_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(json_path, json + "\n")
            .map_err(|e| format!("--json {}: {e}", json_path.display()))?;
        println!("wrote {}", json_path.display());
    }
    println!("child logs: {}", args.log_dir.display());

    Ok(targets.iter().all(|t| t.failure.is_none()))
}

fn read_event(path: &Path) -> Result<Bytes, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("event {}: {e}", path.display()))?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_err(|e| format!("event {} is not JSON: {e}", path.display()))?;
    Ok(Bytes::from(bytes))
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("dashtam-coldstart: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("dashtam-coldstart: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_event_is_an_http_api_v2_request() {
        let event: serde_json::Value =
            serde_json::from_str(DEFAULT_EVENT).expect("built-in event is JSON");
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert_eq!(event["rawPath"], "/__bench/not-found");
    }
}
