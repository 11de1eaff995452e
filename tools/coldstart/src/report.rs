//! The figures: one target per binary, its table row and its JSON report.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::{
    args::Args,
    cpus,
    emulator::{Launch, Sample},
    stats::Summary,
};

// Budgets from ARCHITECTURE.md, "Performance budgets"; flagged, not enforced.
pub const BUDGET_INIT_RATIO: f64 = 2.0;
pub const BUDGET_SIZE_MB: f64 = 10.0;
pub const BUDGET_RSS_MB: f64 = 32.0;

/// One binary under test (the baseline is the first target when given).
pub struct Target {
    pub label: String,
    pub event_source: String,
    pub launch: Launch,
    pub is_baseline: bool,
    pub size: Size,
    pub samples: Vec<Sample>,
    pub failure: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Size {
    pub on_disk: u64,
    /// After `strip --strip-all` (the size Lambda loads); `None` when `strip` is
    /// unavailable or fails.
    pub stripped: Option<u64>,
}

pub fn measure_size(path: &Path, scratch: &Path) -> Result<Size, String> {
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

pub fn unique_labels(paths: &[PathBuf]) -> Vec<String> {
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

pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[derive(Serialize)]
pub struct Report<'a> {
    pub tool: &'static str,
    pub runs: usize,
    pub warmup: usize,
    pub cpus: usize,
    pub timeout_s: f64,
    pub baseline: Option<&'a str>,
    pub budgets: Budgets,
    pub results: Vec<TargetReport<'a>>,
}

#[derive(Serialize)]
pub struct Budgets {
    pub init_ratio: f64,
    pub size_mb: f64,
    pub peak_rss_mb: f64,
}

#[derive(Serialize)]
pub struct TargetReport<'a> {
    pub label: &'a str,
    pub path: String,
    pub baseline: bool,
    pub ok: bool,
    pub failure: Option<&'a str>,
    pub successful_runs: usize,
    pub size_bytes: u64,
    pub stripped_size_bytes: Option<u64>,
    pub size_mb: f64,
    pub init_ms: Option<Summary>,
    pub first_invoke_ms: Option<Summary>,
    pub peak_rss_mb: Option<Summary>,
    pub init_ratio: Option<f64>,
    pub event: &'a str,
    pub response_status_code: Option<i64>,
    pub over_budget: Vec<String>,
    pub log: String,
}

impl Target {
    pub fn size_mb(&self) -> f64 {
        mb(self.size.stripped.unwrap_or(self.size.on_disk))
    }
    pub fn init(&self) -> Option<Summary> {
        Summary::of(&self.samples.iter().map(|s| s.init_ms).collect::<Vec<_>>())
    }
    pub fn invoke(&self) -> Option<Summary> {
        Summary::of(
            &self
                .samples
                .iter()
                .map(|s| s.first_invoke_ms)
                .collect::<Vec<_>>(),
        )
    }
    pub fn rss(&self) -> Option<Summary> {
        Summary::of(
            &self
                .samples
                .iter()
                .filter_map(|s| s.peak_rss_kb)
                .map(|kb| kb as f64 / 1024.0)
                .collect::<Vec<_>>(),
        )
    }
    pub fn status_code(&self) -> Option<i64> {
        self.samples.last().and_then(|s| s.status_code)
    }
    pub fn over_budget(&self, ratio: Option<f64>) -> Vec<String> {
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

pub fn fmt_opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

pub fn print_table(targets: &[Target], baseline_init: Option<f64>, args: &Args) {
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

pub fn ratio(init: &Option<Summary>, baseline_init: Option<f64>) -> Option<f64> {
    let base = baseline_init.filter(|b| *b > 0.0)?;
    init.as_ref().map(|s| s.median / base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_binaries_get_distinct_labels() {
        let labels = unique_labels(&[
            PathBuf::from("a/hello"),
            PathBuf::from("b/hello"),
            PathBuf::from("fn"),
        ]);
        assert_eq!(labels, ["hello", "hello#2", "fn"]);
    }
}
