//! Part one of the import benchmark: parsing. The same generated files are parsed by the
//! Rust statement parser and by the Python baselines, interleaved round by round (odd
//! rounds Rust first, even rounds the baseline first), medians reported with ratios.
//! (Part two, the whole import through the emulated DynamoDB, is to sit beside this
//! module and take the same generated files.)

use std::path::{Path, PathBuf};

use dashtam_domain::imports::FileFormat;

use crate::{BoxError, child, child::Measured};

pub struct Files {
    pub sgml: PathBuf,
    pub xml: PathBuf,
    pub csv: PathBuf,
    pub transactions: usize,
}

pub struct Baseline<'a> {
    pub python: &'a Path,
    pub script: &'a Path,
}

/// One comparison: what it is, the Rust figures, the baseline's.
pub struct Case {
    pub what: &'static str,
    pub baseline_name: &'static str,
    pub rust: Vec<Measured>,
    pub baseline: Vec<Measured>,
}

pub fn run(files: &Files, rounds: usize, baseline: &Baseline<'_>) -> Result<Vec<Case>, BoxError> {
    let plan: [(&'static str, FileFormat, &Path, &'static str, &'static str); 3] = [
        (
            "OFX 1.x SGML",
            FileFormat::Qfx,
            &files.sgml,
            "ofx",
            "ofxtools",
        ),
        (
            "OFX 2.x XML",
            FileFormat::Ofx,
            &files.xml,
            "ofx",
            "ofxtools",
        ),
        (
            "Chase CSV",
            FileFormat::Csv,
            &files.csv,
            "csv",
            "Python csv.DictReader",
        ),
    ];
    let mut cases: Vec<Case> = plan
        .iter()
        .map(|(what, _, _, _, baseline_name)| Case {
            what,
            baseline_name,
            rust: Vec::new(),
            baseline: Vec::new(),
        })
        .collect();
    for round in 1..=rounds {
        for ((_, format, path, mode, _), case) in plan.iter().zip(cases.iter_mut()) {
            let rust_first = round % 2 == 1;
            let measure_rust = || child::rust(*format, path);
            let measure_baseline = || child::python(baseline.python, baseline.script, mode, path);
            let (r, b) = if rust_first {
                let r = measure_rust()?;
                (r, measure_baseline()?)
            } else {
                let b = measure_baseline()?;
                (measure_rust()?, b)
            };
            check_rows(case.what, files.transactions, &r, &b)?;
            println!(
                "round {round}: {:<13} Rust {:>8.3} s {:>7.1} MB | {} {:>8.3} s {:>7.1} MB",
                case.what,
                r.seconds,
                mb(r.peak_rss_kib),
                case.baseline_name,
                b.seconds,
                mb(b.peak_rss_kib)
            );
            case.rust.push(r);
            case.baseline.push(b);
        }
    }
    Ok(cases)
}

fn check_rows(
    what: &str,
    want: usize,
    rust: &Measured,
    baseline: &Measured,
) -> Result<(), BoxError> {
    let want = u64::try_from(want).unwrap_or(u64::MAX);
    if rust.rows != want || baseline.rows != want {
        return Err(format!(
            "{what}: expected {want} rows, Rust read {} and the baseline {}",
            rust.rows, baseline.rows
        )
        .into());
    }
    Ok(())
}

pub fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values.get(n / 2).copied().unwrap_or(0.0),
        n => {
            (values.get(n / 2 - 1).copied().unwrap_or(0.0)
                + values.get(n / 2).copied().unwrap_or(0.0))
                / 2.0
        }
    }
}

/// The summary table (Markdown, as the README shows it) and the goal line.
pub fn report(cases: &[Case], files: &Files) -> bool {
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len() as f64 / 1_048_576.0)
            .unwrap_or(0.0)
    };
    println!();
    println!(
        "{} transactions; files: SGML {:.1} MB, XML {:.1} MB, CSV {:.1} MB; medians of {} rounds",
        files.transactions,
        size(&files.sgml),
        size(&files.xml),
        size(&files.csv),
        cases.first().map_or(0, |c| c.rust.len())
    );
    println!();
    println!(
        "| file | baseline | baseline time | Rust time | speed-up | baseline peak RSS | Rust peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut goal_met = true;
    for case in cases {
        let rust = median(case.rust.iter().map(|m| m.seconds).collect());
        let base = median(case.baseline.iter().map(|m| m.seconds).collect());
        let rust_rss = median(case.rust.iter().map(|m| mb(m.peak_rss_kib)).collect());
        let base_rss = median(case.baseline.iter().map(|m| mb(m.peak_rss_kib)).collect());
        let base_idle = median(case.baseline.iter().map(|m| mb(m.rss_before_kib)).collect());
        let speedup = if rust > 0.0 {
            base / rust
        } else {
            f64::INFINITY
        };
        if case.baseline_name == "ofxtools" && speedup < 10.0 {
            goal_met = false;
        }
        println!(
            "| {} | {} | {:.3} s | {:.3} s | {:.1}× | {:.1} MB ({:.1} MB before the parse) | {:.1} MB |",
            case.what, case.baseline_name, base, rust, speedup, base_rss, base_idle, rust_rss
        );
    }
    println!();
    println!(
        "goal: OFX parse ≥ 10× faster than ofxtools: {}",
        if goal_met { "met" } else { "not met" }
    );
    goal_met
}
