//! Each parse runs in a child process of its own, so each peak RSS (`VmHWM`, as
//! `getrusage`'s `ru_maxrss`) is that parse's alone: the Rust parser (this binary re-run
//! with `--parse`) and the Python baselines (`baseline.py`). A child reads the file
//! first and times only the parse; it prints one JSON line.

use std::{path::Path, process::Command, time::Instant};

use dashtam_domain::imports::{FileFormat, ImportHints, StatementFile, StatementParser};
use dashtam_infrastructure::imports::FileStatementParser;

use crate::BoxError;

pub const FLAG: &str = "--parse";

/// What one child measured.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub seconds: f64,
    pub peak_rss_kib: u64,
    pub rss_before_kib: u64,
    pub rows: u64,
}

/// In the child: parse `path` as `format` and print what it took.
pub fn parse_here(format: &str, path: &str) -> Result<(), BoxError> {
    let bytes = std::fs::read(path)?;
    let format = FileFormat::parse(format).ok_or("--parse wants qfx, ofx or csv")?;
    let hints = ImportHints {
        account_number: Some("1234".into()),
        ..ImportHints::default()
    };
    let before = rss_kib("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let statement = FileStatementParser.parse(StatementFile {
        file_name: path,
        format,
        bytes: &bytes,
        hints: &hints,
    })?;
    let seconds = start.elapsed().as_secs_f64();
    let rows = statement.line_count();
    drop(statement);
    println!(
        "{}",
        serde_json::json!({
            "seconds": seconds,
            "peak_rss_kib": rss_kib("VmHWM:").unwrap_or(0),
            "rss_before_kib": before,
            "rows": rows,
        })
    );
    Ok(())
}

/// The Rust parser on `path`, in a child.
pub fn rust(format: FileFormat, path: &Path) -> Result<Measured, BoxError> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command.arg(FLAG).arg(format.as_str()).arg(path);
    run(command)
}

/// A Python baseline (`ofx` or `csv`) on `path`, in a child.
pub fn python(python: &Path, script: &Path, mode: &str, path: &Path) -> Result<Measured, BoxError> {
    let mut command = Command::new(python);
    command.arg(script).arg(mode).arg(path);
    run(command)
}

fn run(mut command: Command) -> Result<Measured, BoxError> {
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(line.trim())?;
    let number = |key: &str| json.get(key).and_then(serde_json::Value::as_f64);
    let whole = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Measured {
        seconds: number("seconds").ok_or("a child printed no seconds")?,
        peak_rss_kib: whole("peak_rss_kib"),
        rss_before_kib: whole("rss_before_kib"),
        rows: whole("rows"),
    })
}

/// A `/proc/self/status` figure in KiB (`VmHWM:` is the peak); `None` off Linux.
pub fn rss_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
