//! Test support for Dashtam's adapter and end-to-end tests: the emulated AWS
//! (moto's server from the repo's `.venv`) and isolated stacks provisioned from
//! `template.yaml` by `infra/provision.py`.
//!
//! ```no_run
//! # async fn example() {
//! let stack = dashtam_testkit::provision_stack().await;
//! let table = stack.var("DASHTAM_TABLE");
//! let dynamodb_config = &stack.sdk; // region us-east-1, test credentials, the emulator's URL
//! # let _ = (table, dynamodb_config);
//! # }
//! ```
//!
//! Every [`provision_stack`] call creates its own set of resources (a fresh `Env`
//! name), so tests can run in parallel against one emulator. Nothing here touches the
//! process environment.
//!
//! The emulator is `DASHTAM_TEST_AWS_ENDPOINT` when that is set (scripts/test.sh
//! starts one moto for the whole run); otherwise one moto per test process is started
//! on a free loopback port and stops when the process exits.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use aws_config::SdkConfig;
pub use calls::DynamoCalls;

mod calls;

/// Set to an emulator's URL to use it instead of starting one.
pub const ENDPOINT_ENV: &str = "DASHTAM_TEST_AWS_ENDPOINT";
/// The region every stack lives in.
pub const REGION: &str = "us-east-1";

const READY_TIMEOUT: Duration = Duration::from_secs(30);

static ENDPOINT: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// The emulator this process started. Statics are never dropped, so the emulator is
/// not stopped by a destructor: it runs under a small watchdog that holds the read end
/// of this child's stdin and stops moto when that pipe closes, which the kernel does
/// when this process exits in any way (normal exit, panic, abort or a kill signal).
static EMULATOR: Mutex<Option<Child>> = Mutex::new(None);

/// Runs the emulator (`infra/emulator.py`: moto with DynamoDB calls serialised) as its
/// child; stops it when stdin reaches EOF (our process is gone) and exits when the
/// emulator does. The emulator also gets SIGTERM if the watchdog dies.
const WATCHDOG: &str = r#"# dashtam-testkit moto watchdog
import ctypes, signal, subprocess, sys, threading
emulator, port, log = sys.argv[1], sys.argv[2], sys.argv[3]
def die_with_parent():
    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except Exception:
        pass
with open(log, "ab") as out:
    p = subprocess.Popen([sys.executable, emulator, "-H", "127.0.0.1", "-p", port], stdin=subprocess.DEVNULL,
                         stdout=out, stderr=out, preexec_fn=die_with_parent)
def watch():
    while sys.stdin.buffer.read(4096):
        pass
    p.terminate()
threading.Thread(target=watch, daemon=True).start()
sys.exit(p.wait())
"#;

/// The directory holding `template.yaml`, found from the manifest dir of the crate under
/// test (`cargo test` sets it at run time), else this crate's. Read at run time because a
/// compile-time path goes stale when a target directory is shared between checkouts.
pub fn repo_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    start
        .ancestors()
        .find(|dir| dir.join("template.yaml").is_file())
        .unwrap_or_else(|| panic!("no template.yaml above {}", start.display()))
        .to_path_buf()
}

fn venv_bin(name: &str) -> PathBuf {
    let path = repo_root().join(".venv").join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/bootstrap.sh first",
        path.display()
    );
    path
}

/// The emulator's URL (`http://127.0.0.1:PORT`): `DASHTAM_TEST_AWS_ENDPOINT` if set,
/// else a moto server started once for this process.
///
/// # Panics
/// If `.venv` is missing ("run scripts/bootstrap.sh first") or moto does not answer
/// within 30 s.
pub async fn emulator_endpoint() -> String {
    if let Ok(url) = std::env::var(ENDPOINT_ENV)
        && !url.trim().is_empty()
    {
        return url.trim().trim_end_matches('/').to_owned();
    }
    ENDPOINT
        .get_or_init(|| async {
            tokio::task::spawn_blocking(start_emulator)
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        })
        .await
        .clone()
}

fn start_emulator() -> String {
    let python = venv_bin("python");
    let emulator = repo_root().join("infra").join("emulator.py");
    let local = repo_root().join(".local");
    std::fs::create_dir_all(&local).expect("create .local/");
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = free_port();
        let log = local.join(format!("testkit-moto-{port}.log"));
        let mut child = Command::new(&python)
            .arg("-c")
            .arg(WATCHDOG)
            .arg(&emulator)
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", python.display()));
        match wait_ready(port, &mut child) {
            Ok(()) => {
                *EMULATOR.lock().unwrap_or_else(|e| e.into_inner()) = Some(child);
                return format!("http://127.0.0.1:{port}");
            }
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                last_error = format!("{error} (log: {})", log.display());
            }
        }
    }
    panic!("the AWS emulator did not start: {last_error}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a free loopback port")
}

fn wait_ready(port: u16, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("moto exited during start-up ({status})"));
        }
        if moto_answers(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("moto did not answer on port {port} within 30 s"))
}

/// `GET /moto-api/` answers 200.
fn moto_answers(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/") && head.ends_with(b"200")
}

/// One isolated set of the template's resources on the emulator.
#[derive(Debug, Clone)]
pub struct Stack {
    /// The emulator's URL.
    pub endpoint: String,
    /// The template's `Env` for this stack (`t` + 8 hex digits).
    pub env: String,
    /// What provision.py printed: `DASHTAM_TABLE`, `DASHTAM_EVENT_BUS`, queue URLs, ...
    pub vars: BTreeMap<String, String>,
    /// SDK configuration for the emulator: region us-east-1, test credentials.
    pub sdk: SdkConfig,
}

impl Stack {
    /// The value of one of the stack's variables, e.g. `stack.var("DASHTAM_TABLE")`.
    ///
    /// # Panics
    /// If provision.py did not output that variable.
    pub fn var(&self, name: &str) -> &str {
        self.vars.get(name).map(String::as_str).unwrap_or_else(|| {
            panic!(
                "stack {} has no variable {name}; it has {:?}",
                self.env,
                self.vars.keys().collect::<Vec<_>>()
            )
        })
    }

    /// Receives (and deletes) messages from the queue named by `queue_var` until `want`
    /// arrived or `wait` passed; their bodies, in arrival order.
    ///
    /// # Panics
    /// If SQS fails.
    pub async fn receive(&self, queue_var: &str, want: usize, wait: Duration) -> Vec<String> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let url = self.var(queue_var);
        let deadline = Instant::now() + wait;
        let mut bodies = Vec::new();
        while bodies.len() < want && Instant::now() < deadline {
            let out = sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("ReceiveMessage");
            for message in out.messages() {
                bodies.push(message.body().unwrap_or_default().to_owned());
                if let Some(handle) = message.receipt_handle() {
                    sqs.delete_message()
                        .queue_url(url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("DeleteMessage");
                }
            }
        }
        bodies
    }
}

/// Provisions a fresh stack (a new `Env` name) from `template.yaml` on the emulator.
///
/// # Panics
/// If the emulator cannot be reached or provision.py fails.
pub async fn provision_stack() -> Stack {
    let endpoint = emulator_endpoint().await;
    let env = unique_env();
    let root = repo_root();
    let output = tokio::process::Command::new(venv_bin("python"))
        .arg(root.join("infra").join("provision.py"))
        .args(["--endpoint", &endpoint, "--env", &env, "--template"])
        .arg(root.join("template.yaml"))
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run infra/provision.py");
    assert!(
        output.status.success(),
        "infra/provision.py --env {env} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let vars: BTreeMap<String, String> =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "provision.py printed no JSON object ({e}):\n{}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
    let sdk = sdk_config(&endpoint).await;
    Stack {
        endpoint,
        env,
        vars,
        sdk,
    }
}

/// SDK configuration for an emulator: region us-east-1, static test credentials,
/// `endpoint_url`, and nothing read from the host's AWS environment.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .empty_test_environment()
        .region(aws_config::Region::new(REGION))
        .test_credentials()
        .endpoint_url(endpoint)
        .load()
        .await
}

/// `t` + 8 hex digits, unique across test processes sharing one emulator.
fn unique_env() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(uuid::Uuid::now_v7().as_u128());
    hasher.write_u32(std::process::id());
    format!("t{:08x}", hasher.finish() as u32)
}
