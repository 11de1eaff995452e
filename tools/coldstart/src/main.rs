//! `dashtam-coldstart`: measures Lambda cold starts locally, the way Lambda sees them.
//!
//! A minimal Lambda Runtime API emulator on loopback: each binary is started with a
//! controlled environment, and the tool records init time (spawn -> first `/next`),
//! first-invocation latency (`/next` -> `/response`) and peak RSS. Binaries are run
//! interleaved, round by round, together with a baseline (a bare `lambda_runtime`
//! hello-world), so that machine noise hits every binary alike and the init ratio
//! against the baseline is meaningful. See ARCHITECTURE.md, "Performance budgets".

mod emulator;
mod stats;

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use axum::body::Bytes;
use serde::Serialize;

use emulator::{Launch, Sample};
use stats::Summary;

const DEFAULT_EVENT: &str = include_str!("../events/apigw-v2-get-not-found.json");

// Budgets from ARCHITECTURE.md, "Performance budgets"; flagged, not enforced.
const BUDGET_INIT_RATIO: f64 = 2.0;
const BUDGET_SIZE_MB: f64 = 10.0;
const BUDGET_RSS_MB: f64 = 32.0;

const USAGE: &str = "\
usage: dashtam-coldstart [OPTIONS] [BINARY...]

Measures cold start (init = spawn -> first /next), first-invocation latency and peak
RSS of Lambda custom-runtime binaries against a local Runtime API emulator.

options:
  --baseline PATH   baseline binary (bare hello-world); init ratios are against it
  --runs N          measured cold starts per binary (default 20)
  --warmup N        unrecorded cold starts per binary first (default 1)
  --event FILE      event for the first invocation (default: built-in API Gateway
                    HTTP API v2 GET /__bench/not-found)
  --event-for NAME=FILE
                    event for the binary whose file name is NAME (repeatable;
                    e.g. an SQS batch for a queue consumer)
  --env K=V         extra environment variable for every binary (repeatable)
  --timeout SECS    per cold start, init + first invocation (default 10)
  --json FILE       write the figures as JSON
  --log-dir DIR     child stdout/stderr logs (default: $TMPDIR/dashtam-coldstart)
  -h, --help        this help

Binaries are measured interleaved (round-robin, rotating the order each round). The
same path may be given twice (e.g. the baseline against itself, to see the noise).
Exit status: 0 all ran, 1 some binary failed, 2 usage error.";

#[derive(Debug)]
struct Args {
    baseline: Option<PathBuf>,
    binaries: Vec<PathBuf>,
    runs: usize,
    warmup: usize,
    event: Option<PathBuf>,
    event_for: Vec<(String, PathBuf)>,
    env: Vec<(String, String)>,
    timeout: Duration,
    json: Option<PathBuf>,
    log_dir: PathBuf,
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        baseline: None,
        binaries: Vec::new(),
        runs: 20,
        warmup: 1,
        event: None,
        event_for: Vec::new(),
        env: Vec::new(),
        timeout: Duration::from_secs(10),
        json: None,
        log_dir: std::env::temp_dir().join("dashtam-coldstart"),
    };
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--baseline" => args.baseline = Some(PathBuf::from(value()?)),
            "--runs" => args.runs = parse_count(&flag, &value()?, 1)?,
            "--warmup" => args.warmup = parse_count(&flag, &value()?, 0)?,
            "--event" => args.event = Some(PathBuf::from(value()?)),
            "--env" => {
                let (k, v) = key_value(&flag, &value()?)?;
                args.env.push((k, v));
            }
            "--event-for" => {
                let (name, file) = key_value(&flag, &value()?)?;
                args.event_for.push((name, PathBuf::from(file)));
            }
            "--timeout" => {
                let raw = value()?;
                let secs: f64 = raw
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("--timeout expects seconds > 0, got {raw:?}"))?;
                args.timeout = Duration::from_secs_f64(secs);
            }
            "--json" => args.json = Some(PathBuf::from(value()?)),
            "--log-dir" => args.log_dir = PathBuf::from(value()?),
            "--" => args.binaries.extend(it.by_ref().map(PathBuf::from)),
            f if f.starts_with('-') => return Err(format!("unknown option {f}")),
            _ => args.binaries.push(PathBuf::from(arg)),
        }
    }
    if args.baseline.is_none() && args.binaries.is_empty() {
        return Err("no binaries given".to_owned());
    }
    Ok(Some(args))
}

fn key_value(flag: &str, raw: &str) -> Result<(String, String), String> {
    raw.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{flag} expects K=V, got {raw:?}"))
}

fn parse_count(flag: &str, raw: &str, min: usize) -> Result<usize, String> {
    raw.parse()
        .ok()
        .filter(|n| *n >= min)
        .ok_or_else(|| format!("{flag} expects an integer >= {min}, got {raw:?}"))
}

/// One binary under test (the baseline is the first target when given).
struct Target {
    label: String,
    event_source: String,
    launch: Launch,
    is_baseline: bool,
    size: Size,
    samples: Vec<Sample>,
    failure: Option<String>,
}

#[derive(Clone, Copy)]
struct Size {
    on_disk: u64,
    /// After `strip --strip-all` (the size Lambda loads); `None` when `strip` is
    /// unavailable or fails.
    stripped: Option<u64>,
}

fn measure_size(path: &Path, scratch: &Path) -> Result<Size, String> {
    let on_disk = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let tmp = scratch.join(format!(".strip-{}", std::process::id()));
    let stripped = std::process::Command::new("strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(&tmp)
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()
        .filter(|s| s.success())
        .and_then(|_| std::fs::metadata(&tmp).ok())
        .map(|m| m.len());
    let _ = std::fs::remove_file(&tmp);
    Ok(Size { on_disk, stripped })
}

fn unique_labels(paths: &[PathBuf]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    paths
        .iter()
        .map(|p| {
            let base = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string());
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        })
        .collect()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[derive(Serialize)]
struct Report<'a> {
    tool: &'static str,
    runs: usize,
    warmup: usize,
    cpus: usize,
    timeout_s: f64,
    baseline: Option<&'a str>,
    budgets: Budgets,
    results: Vec<TargetReport<'a>>,
}

#[derive(Serialize)]
struct Budgets {
    init_ratio: f64,
    size_mb: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct TargetReport<'a> {
    label: &'a str,
    path: String,
    baseline: bool,
    ok: bool,
    failure: Option<&'a str>,
    successful_runs: usize,
    size_bytes: u64,
    stripped_size_bytes: Option<u64>,
    size_mb: f64,
    init_ms: Option<Summary>,
    first_invoke_ms: Option<Summary>,
    peak_rss_mb: Option<Summary>,
    init_ratio: Option<f64>,
    event: &'a str,
    response_status_code: Option<i64>,
    over_budget: Vec<String>,
    log: String,
}

impl Target {
    fn size_mb(&self) -> f64 {
        mb(self.size.stripped.unwrap_or(self.size.on_disk))
    }
    fn init(&self) -> Option<Summary> {
        Summary::of(&self.samples.iter().map(|s| s.init_ms).collect::<Vec<_>>())
    }
    fn invoke(&self) -> Option<Summary> {
        Summary::of(
            &self
                .samples
                .iter()
                .map(|s| s.first_invoke_ms)
                .collect::<Vec<_>>(),
        )
    }
    fn rss(&self) -> Option<Summary> {
        Summary::of(
            &self
                .samples
                .iter()
                .filter_map(|s| s.peak_rss_kb)
                .map(|kb| kb as f64 / 1024.0)
                .collect::<Vec<_>>(),
        )
    }
    fn status_code(&self) -> Option<i64> {
        self.samples.last().and_then(|s| s.status_code)
    }
    fn over_budget(&self, ratio: Option<f64>) -> Vec<String> {
        let mut over = Vec::new();
        if let Some(r) = ratio.filter(|r| *r > BUDGET_INIT_RATIO) {
            over.push(format!("init {r:.2}x > {BUDGET_INIT_RATIO}x"));
        }
        if self.size_mb() > BUDGET_SIZE_MB {
            over.push(format!("size > {BUDGET_SIZE_MB} MB"));
        }
        if let Some(rss) = self.rss().filter(|r| r.median > BUDGET_RSS_MB) {
            over.push(format!("RSS {:.1} > {BUDGET_RSS_MB} MB", rss.median));
        }
        over
    }
}

fn fmt_opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

fn print_table(targets: &[Target], baseline_init: Option<f64>, args: &Args) {
    let width = targets
        .iter()
        .map(|t| t.label.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "\ncold start: {} runs per binary (+{} warm-up), interleaved; {} CPUs; timeout {:.0} s",
        args.runs,
        args.warmup,
        cpus(),
        args.timeout.as_secs_f64()
    );
    println!(
        "{:<width$}  {:>7}  {:>8}  {:>8}  {:>10}  {:>7}  {:>6}  {:>4}  status",
        "binary", "size MB", "init med", "init p90", "invoke med", "RSS MB", "ratio", "resp",
    );
    println!(
        "{:<width$}  {:>7}  {:>8}  {:>8}  {:>10}  {:>7}  {:>6}  {:>4}",
        "", "", "(ms)", "(ms)", "(ms)", "(med)", "(init)", "",
    );
    for t in targets {
        let init = t.init();
        let ratio = ratio(&init, baseline_init);
        let status = match &t.failure {
            Some(why) => format!("FAILED ({}/{} ok): {why}", t.samples.len(), args.runs),
            None => {
                let over = t.over_budget(ratio);
                if over.is_empty() {
                    "ok".to_owned()
                } else {
                    format!("ok, over budget: {}", over.join(", "))
                }
            }
        };
        let size = if t.size.stripped.is_some() {
            format!("{:.2}", t.size_mb())
        } else {
            format!("{:.2}*", t.size_mb())
        };
        println!(
            "{:<width$}  {:>7}  {:>8}  {:>8}  {:>10}  {:>7}  {:>6}  {:>4}  {}",
            t.label,
            size,
            fmt_opt(init.as_ref().map(|s| s.median), 2),
            fmt_opt(init.as_ref().map(|s| s.p90), 2),
            fmt_opt(t.invoke().map(|s| s.median), 2),
            fmt_opt(t.rss().map(|s| s.median), 1),
            fmt_opt(ratio, 2),
            t.status_code()
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            status,
        );
    }
    if targets.iter().any(|t| t.size.stripped.is_none()) {
        println!("* on-disk size: `strip` unavailable or failed");
    }
    if baseline_init.is_none() {
        println!("(no baseline measured: init ratios not available)");
    }
}

fn ratio(init: &Option<Summary>, baseline_init: Option<f64>) -> Option<f64> {
    let base = baseline_init.filter(|b| *b > 0.0)?;
    init.as_ref().map(|s| s.median / base)
}

fn cpus() -> usize {
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

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_flags_and_binaries() {
        let args = parse_args(argv(
            "--baseline hello --runs 5 --env A=1 --env=B=x=y --timeout 2.5 \
             --event-for f2=sqs.json f1 f2",
        ))
        .expect("valid")
        .expect("not help");
        assert_eq!(args.baseline, Some(PathBuf::from("hello")));
        assert_eq!(args.runs, 5);
        assert_eq!(
            args.env,
            vec![
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "x=y".to_owned())
            ]
        );
        assert_eq!(args.timeout, Duration::from_millis(2500));
        assert_eq!(
            args.event_for,
            vec![("f2".to_owned(), PathBuf::from("sqs.json"))]
        );
        assert_eq!(
            args.binaries,
            vec![PathBuf::from("f1"), PathBuf::from("f2")]
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse_args(argv("")).is_err());
        assert!(parse_args(argv("--runs 0 f")).is_err());
        assert!(parse_args(argv("--env novalue f")).is_err());
        assert!(parse_args(argv("--bogus f")).is_err());
        assert!(parse_args(argv("--runs")).is_err());
        assert!(matches!(parse_args(argv("--help")), Ok(None)));
    }

    #[test]
    fn duplicate_binaries_get_distinct_labels() {
        let labels = unique_labels(&[
            PathBuf::from("a/hello"),
            PathBuf::from("b/hello"),
            PathBuf::from("fn"),
        ]);
        assert_eq!(labels, ["hello", "hello#2", "fn"]);
    }

    #[test]
    fn default_event_is_an_http_api_v2_request() {
        let event: serde_json::Value =
            serde_json::from_str(DEFAULT_EVENT).expect("built-in event is JSON");
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert_eq!(event["rawPath"], "/__bench/not-found");
    }
}
