//! The `dashtam-local` binary on a freshly provisioned emulated stack, and a client for it.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use dashtam_domain::platform::{
    entities::AuditRecord,
    ports::{AuditQuery, AuditRepository},
};
use dashtam_infrastructure::dynamodb::{DynamoAuditRepository, StreamReader};
use serde_json::{Value, json};

pub const PASSWORD: &str = "Str0ng!Passw0rd";

pub struct LocalStack {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
    pub stack: dashtam_testkit::Stack,
    /// What the process logged (also passed through to the test's stderr).
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The local stack with rate limiting off: these tests are about other rules and make
/// more registrations and logins from 127.0.0.1 than the auth policies allow.
pub async fn start() -> LocalStack {
    start_with(&[("DASHTAM_RATE_LIMITS", "off")], &[]).await
}

pub async fn start_with(env: &[(&str, &str)], extra_args: &[&str]) -> LocalStack {
    let stack = dashtam_testkit::provision_stack().await;
    let port = free_port();
    let mailbox = std::env::temp_dir().join(format!("dashtam-mailbox-{}", stack.env));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dashtam-local"));
    cmd.args(["--port", &port.to_string()])
        .args(extra_args)
        .envs(&stack.vars)
        .env("AWS_ENDPOINT_URL", &stack.endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("DASHTAM_MAILBOX_DIR", &mailbox)
        .env("DASHTAM_ADMIN_EMAILS", "root@example.com")
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        // Parallel stacks cannot share the sandbox's default port; a test that needs the
        // sandbox passes its own DASHTAM_SANDBOX_PORT.
        .env("DASHTAM_SANDBOX_PORT", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().expect("dashtam-local starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    // The process logs to stdout.
    if let Some(stdout) = child.stdout.take() {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                eprintln!("{line}");
                log.lock().unwrap().push(line);
            }
        });
    }
    let local = LocalStack {
        child,
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        stack,
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let health = local
            .http
            .get(format!("{}/health", local.base))
            .send()
            .await;
        if health.is_ok_and(|r| r.status() == 200) {
            return local;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("dashtam-local did not answer /health within 30 s");
}

impl LocalStack {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    /// Registers `email` with [`PASSWORD`] and verifies it with the mailed token.
    pub async fn signup(&self, email: &str) {
        let credentials = json!({"email": email, "password": PASSWORD});
        let (status, body) = self.post("/api/v1/users", credentials).await;
        assert_eq!(status, 201, "register {email}: {body}");
        let token = self.mailed_token(email, 0).await;
        let (status, body) = self
            .post("/api/v1/email-verifications", json!({"token": token}))
            .await;
        assert_eq!(status, 201, "verify {email}: {body}");
    }

    /// Logs `email` in with `password`: the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let credentials = json!({"email": email, "password": password});
        let (status, pair) = self.post("/api/v1/sessions", credentials).await;
        assert_eq!(status, 201, "login {email}: {pair}");
        pair
    }

    /// The emails to `to`, newest first.
    pub async fn mails(&self, to: &str) -> Vec<Value> {
        let (_, mails) = self
            .call(
                reqwest::Method::GET,
                &format!("/_local/mailbox?to={to}"),
                None,
                None,
            )
            .await;
        mails.as_array().cloned().unwrap_or_default()
    }

    /// How many events the relay logged as published (`events relayed count=N`).
    pub fn relayed(&self) -> usize {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|l| l.contains("events relayed"))
            .filter_map(|l| {
                let count = l.split_once("count=")?.1;
                count
                    .split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .sum()
    }

    /// Every outbox event the table's stream holds: the events that committed.
    pub async fn committed(&self) -> usize {
        let mut reader = StreamReader::open(&self.stack.sdk, self.stack.var("DASHTAM_TABLE"))
            .await
            .unwrap();
        let mut total = 0;
        loop {
            let batch = reader.next_events().await.unwrap();
            if batch.is_empty() {
                return total;
            }
            total += batch.len();
        }
    }

    /// The whole audit trail of this stack (its table is its own).
    pub async fn audit_trail(&self) -> Vec<AuditRecord> {
        let audit = DynamoAuditRepository::new(
            aws_sdk_dynamodb::Client::new(&self.stack.sdk),
            self.stack.var("DASHTAM_TABLE").to_owned(),
        );
        let now = chrono::Utc::now();
        let mut query = AuditQuery {
            user_id: None,
            action: None,
            since: now - chrono::Duration::hours(1),
            until: now + chrono::Duration::minutes(1),
            limit: 100,
            after: None,
        };
        let mut records = Vec::new();
        loop {
            let page = audit.list(&query).await.unwrap();
            records.extend(page.records);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return records,
            }
        }
    }

    /// Waits for the newest email to `to` that carries a 64-hex token, and returns it.
    pub async fn mailed_token(&self, to: &str, skip: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let (_, mails) = self
                .call(
                    reqwest::Method::GET,
                    &format!("/_local/mailbox?to={to}"),
                    None,
                    None,
                )
                .await;
            let mails = mails.as_array().cloned().unwrap_or_default();
            if mails.len() > skip {
                let text = mails[0]["text"].as_str().unwrap_or_default().to_owned();
                let token = text
                    .split(|c: char| !c.is_ascii_hexdigit())
                    .find(|w| w.len() == 64)
                    .expect("a 64-hex token in the email");
                return token.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no email to {to} within 20 s");
    }
}
