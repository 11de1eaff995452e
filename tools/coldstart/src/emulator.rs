//! A minimal Lambda Runtime API (the `2018-06-01` interface) and one timed cold start.
//!
//! Per run: bind a fresh loopback listener, spawn the function with a controlled
//! environment, and time process spawn -> first `GET .../invocation/next` (init),
//! then that request -> `POST .../invocation/{id}/response` (first invocation).
//! The next `/next` is parked (the function is then idle, as between invocations on
//! Lambda), peak RSS is read from `/proc/PID/status` (`VmHWM`), and the process is
//! killed.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::{mpsc, watch};

use crate::runtime_api::{Seen, Shared, serve};

/// How long to wait, after the first response, for the function to come back to
/// `/next` before reading its peak RSS anyway.
const PARK_WAIT: Duration = Duration::from_secs(1);

/// Everything needed to start one function process.
#[derive(Debug, Clone)]
pub struct Launch {
    pub path: PathBuf,
    pub function_name: String,
    /// Payload of the first (and only) invocation.
    pub event: Bytes,
    pub extra_env: Vec<(String, String)>,
    pub log_file: PathBuf,
    pub timeout: Duration,
}

/// One successful cold start.
#[derive(Debug, Clone)]
pub struct Sample {
    pub init_ms: f64,
    pub first_invoke_ms: f64,
    pub peak_rss_kb: Option<u64>,
    /// `statusCode` of the first response, when it is an API Gateway-style JSON.
    pub status_code: Option<i64>,
}

/// Runs `launch` once against a fresh emulator and returns the timings, or why the
/// run failed (in words, for the report).
pub async fn cold_start(launch: &Launch, run_label: &str) -> Result<Sample, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("binding the runtime API listener: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("listener address: {e}"))?;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        tx,
        shutdown: shutdown_rx.clone(),
        event: launch.event.clone(),
        request_id: format!("coldstart-{run_label}"),
        function_arn: format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{}",
            launch.function_name
        ),
        deadline_budget: launch.timeout,
        nexts: AtomicUsize::new(0),
    });
    let server = tokio::spawn(serve(listener, shared, shutdown_rx));

    let result = drive(launch, addr, &mut rx, run_label).await;

    let _ = shutdown_tx.send(true);
    let mut server = server;
    if tokio::time::timeout(Duration::from_secs(1), &mut server)
        .await
        .is_err()
    {
        server.abort();
    }
    result
}

/// The controlled environment: what Lambda sets for a custom runtime, fake
/// credentials, and an endpoint that refuses connections so that any network call
/// during init fails fast (and shows in the log or as an init error).
fn environment(launch: &Launch, addr: SocketAddr) -> Vec<(String, String)> {
    let task_root = launch
        .path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| ".".to_owned());
    let name = &launch.function_name;
    let mut env: Vec<(String, String)> = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("LAMBDA_TASK_ROOT", task_root.clone()),
        ("LAMBDA_RUNTIME_DIR", task_root),
        ("_HANDLER", "bootstrap".to_owned()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_rust".to_owned()),
        ("AWS_LAMBDA_RUNTIME_API", addr.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2025/01/01/[$LATEST]coldstart".to_owned(),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKIDCOLDSTARTBENCH".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "coldstart-bench-secret".to_owned()),
        ("AWS_SESSION_TOKEN", "coldstart-bench-token".to_owned()),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in &launch.extra_env {
        env.retain(|(existing, _)| existing != k);
        env.push((k.clone(), v.clone()));
    }
    env
}

fn open_log(path: &Path, run_label: &str) -> Result<(File, File), String> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("opening log {}: {e}", path.display()))?;
    let _ = writeln!(file, "=== dashtam-coldstart run {run_label} ===");
    let err = file
        .try_clone()
        .map_err(|e| format!("log {}: {e}", path.display()))?;
    Ok((file, err))
}

/// Peak resident set size (`VmHWM`) of a live process, in KiB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn status_code_of(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("statusCode")?
        .as_i64()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Init,
    Invoke,
    Park,
}

impl Phase {
    fn describe(self) -> &'static str {
        match self {
            Phase::Init => "during init (before the first /next)",
            Phase::Invoke => "during the first invocation",
            Phase::Park => "after its first response",
        }
    }
}

async fn drive(
    launch: &Launch,
    addr: SocketAddr,
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    run_label: &str,
) -> Result<Sample, String> {
    let (stdout, stderr) = open_log(&launch.log_file, run_label)?;
    let mut command = Command::new(&launch.path);
    command
        .env_clear()
        .envs(environment(launch, addr))
        .current_dir(launch.path.parent().unwrap_or(Path::new(".")))
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .kill_on_drop(true);

    let spawned_at = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("spawning {}: {e}", launch.path.display()))?;
    let pid = child.id();
    let deadline = tokio::time::Instant::from_std(spawned_at + launch.timeout);

    let mut phase = Phase::Init;
    let mut first_next: Option<Instant> = None;
    let mut invoke_ms = 0.0;
    let mut status_code = None;
    let mut rss_at_response = None;
    let mut park_deadline = deadline;

    let outcome: Result<(), String> = loop {
        let wait_until = if phase == Phase::Park {
            park_deadline
        } else {
            deadline
        };
        tokio::select! {
            seen = rx.recv() => match seen {
                Some(Seen::Next { at, nth: 0 }) => {
                    first_next = Some(at);
                    phase = Phase::Invoke;
                }
                Some(Seen::Next { .. }) => break Ok(()),
                Some(Seen::Response { at, body }) => {
                    rss_at_response = pid.and_then(peak_rss_kb);
                    invoke_ms = first_next
                        .map(|n| ms(at.saturating_duration_since(n)))
                        .unwrap_or_default();
                    status_code = status_code_of(&body);
                    phase = Phase::Park;
                    park_deadline = tokio::time::Instant::now() + PARK_WAIT;
                }
                Some(Seen::InvocationError { body }) => {
                    break Err(format!("posted an invocation error: {}", snippet(&body)));
                }
                Some(Seen::InitError { body }) => {
                    break Err(format!("posted init/error: {}", snippet(&body)));
                }
                Some(Seen::Unexpected { method, uri }) => {
                    eprintln!("\nwarning: {} sent an unexpected request {method} {uri}", launch.function_name);
                }
                None => break Err("runtime API emulator stopped".to_owned()),
            },
            status = child.wait() => {
                let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                break Err(format!("exited ({status}) {}", phase.describe()));
            }
            _ = tokio::time::sleep_until(wait_until) => {
                if phase == Phase::Park {
                    // Did not come back to /next in time; measure anyway.
                    break Ok(());
                }
                break Err(format!(
                    "timed out after {:.0} s {}",
                    launch.timeout.as_secs_f64(),
                    phase.describe()
                ));
            }
        }
    };

    let rss_parked = pid.and_then(peak_rss_kb);
    let _ = child.start_kill();
    let _ = child.wait().await;

    outcome?;
    let init = first_next
        .map(|n| ms(n.saturating_duration_since(spawned_at)))
        .unwrap_or_default();
    Ok(Sample {
        init_ms: init,
        first_invoke_ms: invoke_ms,
        peak_rss_kb: rss_at_response.max(rss_parked),
        status_code,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_code_is_read_from_api_gateway_responses() {
        assert_eq!(
            status_code_of(br#"{"statusCode":404,"body":""}"#),
            Some(404)
        );
        assert_eq!(status_code_of(br#"{"hello":"world"}"#), None);
        assert_eq!(status_code_of(b"not json"), None);
    }

    #[test]
    fn extra_env_overrides_the_defaults() {
        let launch = Launch {
            path: PathBuf::from("/tmp/bootstrap"),
            function_name: "f".to_owned(),
            event: Bytes::from_static(b"{}"),
            extra_env: vec![
                ("AWS_REGION".to_owned(), "eu-west-1".to_owned()),
                ("DASHTAM_TABLE".to_owned(), "bench".to_owned()),
            ],
            log_file: PathBuf::from("/dev/null"),
            timeout: Duration::from_secs(1),
        };
        let env = environment(&launch, SocketAddr::from(([127, 0, 0, 1], 9001)));
        let get = |k: &str| {
            env.iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("AWS_REGION"), ["eu-west-1"]);
        assert_eq!(get("DASHTAM_TABLE"), ["bench"]);
        assert_eq!(get("AWS_LAMBDA_RUNTIME_API"), ["127.0.0.1:9001"]);
        assert_eq!(get("AWS_ENDPOINT_URL"), ["http://127.0.0.1:9"]);
    }
}
