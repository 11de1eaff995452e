//! The command line.

use std::{path::PathBuf, time::Duration};

pub const USAGE: &str = "\
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
pub struct Args {
    pub baseline: Option<PathBuf>,
    pub binaries: Vec<PathBuf>,
    pub runs: usize,
    pub warmup: usize,
    pub event: Option<PathBuf>,
    pub event_for: Vec<(String, PathBuf)>,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub json: Option<PathBuf>,
    pub log_dir: PathBuf,
}

pub fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
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

pub fn key_value(flag: &str, raw: &str) -> Result<(String, String), String> {
    raw.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{flag} expects K=V, got {raw:?}"))
}

pub fn parse_count(flag: &str, raw: &str, min: usize) -> Result<usize, String> {
    raw.parse()
        .ok()
        .filter(|n| *n >= min)
        .ok_or_else(|| format!("{flag} expects an integer >= {min}, got {raw:?}"))
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
}
