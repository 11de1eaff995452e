//! The sandbox brokerage in a child process (this binary re-run with `--serve-sandbox`),
//! so its memory (the generated year of bulk data, its HTTP server) stays out of the
//! measured RSS. The two talk over the child's stdin and stdout, one line each way:
//!
//! - child → parent, first: the sandbox's base URL;
//! - `authorize\t<redirect uri>\t<state>` → the consent's code (profile `bulk`);
//! - `counters` → `<token calls> <transactions calls> <trader calls>`.
//!
//! The child stops when its stdin closes (the parent exited, whatever the way).

use std::{
    io::{BufRead, Write},
    process::Stdio,
};

use dashtam_sandbox::{Profile, Sandbox, SandboxConfig};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
};

pub const FLAG: &str = "--serve-sandbox";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The child's side: serves until stdin reaches EOF. Stdin is read on a thread of its
/// own (lines go through a channel); the answers are small blocking writes to stdout.
pub async fn serve() -> Result<(), BoxError> {
    let config = SandboxConfig::default();
    let client_id = config.schwab_client_id.clone();
    let sandbox = Sandbox::spawn(config).await?;
    let reply = |line: &str| -> Result<(), BoxError> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
        Ok(())
    };
    reply(&sandbox.base_url)?;
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        let parts: Vec<&str> = line.split('\t').collect();
        match parts.as_slice() {
            ["authorize", redirect_uri, state] => {
                let code = sandbox
                    .authorize(&client_id, redirect_uri, state, Profile::Bulk)
                    .await;
                reply(&code)?;
            }
            ["counters"] => {
                let c = sandbox.counters();
                reply(&format!(
                    "{} {} {}",
                    c.schwab_token,
                    c.schwab_transactions,
                    c.schwab_trader()
                ))?;
            }
            _ => return Err(format!("sandbox child: unknown command {line:?}").into()),
        }
    }
    Ok(())
}

/// Calls the sandbox has answered so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SandboxCalls {
    pub token: u64,
    pub transactions: u64,
    pub trader: u64,
}

impl std::ops::Sub for SandboxCalls {
    type Output = SandboxCalls;
    fn sub(self, before: SandboxCalls) -> SandboxCalls {
        SandboxCalls {
            token: self.token - before.token,
            transactions: self.transactions - before.transactions,
            trader: self.trader - before.trader,
        }
    }
}

/// The parent's handle on the child.
pub struct SandboxProcess {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl SandboxProcess {
    pub async fn start() -> Result<Self, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(FLAG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take().ok_or("sandbox child: no stdin")?;
        let stdout = child.stdout.take().ok_or("sandbox child: no stdout")?;
        let mut stdout = BufReader::new(stdout).lines();
        let base_url = stdout
            .next_line()
            .await?
            .ok_or("sandbox child exited before printing its URL")?;
        Ok(Self {
            base_url,
            child,
            stdin,
            stdout,
        })
    }

    /// `{base_url}/_sandbox/schwab`
    pub fn schwab_base(&self) -> String {
        format!("{}/_sandbox/schwab", self.base_url)
    }

    async fn ask(&mut self, line: &str) -> Result<String, BoxError> {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await?;
        self.stdin.flush().await?;
        Ok(self
            .stdout
            .next_line()
            .await?
            .ok_or("sandbox child exited")?)
    }

    /// Runs the consent for the bulk profile; answers the (decoded) code.
    pub async fn authorize(&mut self, redirect_uri: &str, state: &str) -> Result<String, BoxError> {
        self.ask(&format!("authorize\t{redirect_uri}\t{state}"))
            .await
    }

    pub async fn counters(&mut self) -> Result<SandboxCalls, BoxError> {
        let line = self.ask("counters").await?;
        let n: Vec<u64> = line
            .split(' ')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("sandbox child: counters {line:?}: {e}"))?;
        match n.as_slice() {
            [token, transactions, trader] => Ok(SandboxCalls {
                token: *token,
                transactions: *transactions,
                trader: *trader,
            }),
            _ => Err(format!("sandbox child: counters {line:?}").into()),
        }
    }

    /// The child's peak RSS (VmHWM), for the report.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let pid = self.child.id()?;
        crate::rss::peak_kib(&format!("/proc/{pid}/status"))
    }
}
