//! End to end: the `dashtam-local` binary against a freshly provisioned emulated AWS
//! (moto), used over HTTP the way a client would.

#![allow(clippy::unwrap_used)] // tests may panic on the unexpected

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use dashtam_domain::{
    entities::{AuditRecord, RefreshToken, Session},
    ports::{AuditQuery, AuditRepository, SessionRepository},
    value_objects::TokenHash,
};
use dashtam_infrastructure::dynamodb::{
    DynamoAuditRepository, DynamoSessionRepository, StreamReader,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Str0ng!Passw0rd";

struct LocalStack {
    child: Child,
    base: String,
    http: reqwest::Client,
    stack: dashtam_testkit::Stack,
    /// What the process logged (also passed through to the test's stderr).
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The local stack with rate limiting off: these tests are about other rules and make
/// more registrations and logins from 127.0.0.1 than the auth policies allow.
async fn start() -> LocalStack {
    start_with(&[("DASHTAM_RATE_LIMITS", "off")], &[]).await
}

async fn start_with(env: &[(&str, &str)], extra_args: &[&str]) -> LocalStack {
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
    async fn call(
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

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    /// The emails to `to`, newest first.
    async fn mails(&self, to: &str) -> Vec<Value> {
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
    fn relayed(&self) -> usize {
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
    async fn committed(&self) -> usize {
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
    async fn audit_trail(&self) -> Vec<AuditRecord> {
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
    async fn mailed_token(&self, to: &str, skip: usize) -> String {
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

#[tokio::test]
async fn register_verify_login_refresh_logout_against_the_local_stack() {
    let s = start().await;
    let email = "ada@example.com";

    let (status, user) = s
        .post(
            "/api/v1/users",
            json!({"email": "Ada@Example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["email"], email);

    let (status, _) = s
        .post(
            "/api/v1/sessions",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 403, "unverified users cannot log in");

    let token = s.mailed_token(email, 0).await;
    let (status, body) = s
        .post("/api/v1/email-verifications", json!({"token": token}))
        .await;
    assert_eq!(status, 201, "{body}");

    let (status, pair) = s
        .post(
            "/api/v1/sessions",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{pair}");
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();

    let (status, me) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&access),
            None,
        )
        .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(email)));

    let (status, next) = s
        .post("/api/v1/tokens", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, 201, "{next}");
    let access2 = next["access_token"].as_str().unwrap().to_owned();
    let refresh2 = next["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);

    let (status, _) = s
        .call(
            reqwest::Method::DELETE,
            "/api/v1/sessions/current",
            Some(&access2),
            Some(json!({"refresh_token": refresh2})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&access2),
            None,
        )
        .await;
    assert_eq!(status, 401, "logout revokes the session's access tokens");
    let (status, _) = s
        .post("/api/v1/tokens", json!({"refresh_token": refresh2}))
        .await;
    assert_eq!(status, 401, "logout revokes the session's refresh tokens");

    // The audit consumer has recorded the user's security events, each exactly once.
    let user_id = user["id"].as_str().unwrap().parse().unwrap();
    let audit = DynamoAuditRepository::new(
        aws_sdk_dynamodb::Client::new(&s.stack.sdk),
        s.stack.var("DASHTAM_TABLE").to_owned(),
    );
    let expected = [
        "UserRegistrationSucceeded",
        "EmailVerificationSucceeded",
        "UserLoginSucceeded",
        "AuthTokenRefreshSucceeded",
        "UserLogoutSucceeded",
    ];
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records = audit.list_for_user(user_id, 100).await.unwrap();
        let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
        if expected.iter().all(|e| actions.contains(e)) {
            let mut ids: Vec<_> = records.iter().map(|r| r.event_id).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), records.len(), "one record per event");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "audit trail incomplete: {actions:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn password_reset_and_admin_rotation_against_the_local_stack() {
    let s = start().await;
    for email in ["root@example.com", "bob@example.com"] {
        let (status, _) = s
            .post(
                "/api/v1/users",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201);
        let token = s.mailed_token(email, 0).await;
        assert_eq!(
            s.post("/api/v1/email-verifications", json!({"token": token}))
                .await
                .0,
            201
        );
    }
    let (_, bob) = s
        .post(
            "/api/v1/sessions",
            json!({"email": "bob@example.com", "password": PASSWORD}),
        )
        .await;
    let bob_access = bob["access_token"].as_str().unwrap().to_owned();

    // Reset: the mailed token sets a new password and ends every session.
    assert_eq!(
        s.post(
            "/api/v1/password-reset-tokens",
            json!({"email": "bob@example.com"})
        )
        .await
        .0,
        201
    );
    let reset = s.mailed_token("bob@example.com", 1).await;
    let new_password = "N3w!Passw0rdX";
    let (status, body) = s
        .post(
            "/api/v1/password-resets",
            json!({"token": reset, "new_password": new_password}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        s.call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            Some(&bob_access),
            None
        )
        .await
        .0,
        401
    );
    assert_eq!(
        s.post(
            "/api/v1/sessions",
            json!({"email": "bob@example.com", "password": PASSWORD})
        )
        .await
        .0,
        401
    );
    let (status, bob) = s
        .post(
            "/api/v1/sessions",
            json!({"email": "bob@example.com", "password": new_password}),
        )
        .await;
    assert_eq!(status, 201);
    let bob_refresh = bob["refresh_token"].as_str().unwrap().to_owned();

    // Admin (bootstrapped by configuration) rotates bob's tokens: his refresh token dies.
    let (_, root) = s
        .post(
            "/api/v1/sessions",
            json!({"email": "root@example.com", "password": PASSWORD}),
        )
        .await;
    let root_access = root["access_token"].as_str().unwrap().to_owned();
    let (_, me) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/users/me",
            bob["access_token"].as_str(),
            None,
        )
        .await;
    let bob_id = me["id"].as_str().unwrap().to_owned();
    let (status, rotation) = s
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/users/{bob_id}/rotations"),
            Some(&root_access),
            Some(json!({"reason": "test"})),
        )
        .await;
    assert_eq!(status, 201, "{rotation}");
    assert_eq!(
        s.post("/api/v1/tokens", json!({"refresh_token": bob_refresh}))
            .await
            .0,
        401
    );
    let (status, fresh) = s
        .post(
            "/api/v1/sessions",
            json!({"email": "bob@example.com", "password": new_password}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = s
        .post(
            "/api/v1/tokens",
            json!({"refresh_token": fresh["refresh_token"]}),
        )
        .await;
    assert_eq!(status, 201, "tokens issued after a per-user rotation work");

    let (status, config) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/security/config",
            Some(&root_access),
            None,
        )
        .await;
    assert_eq!(
        (status, config["global_min_token_version"].as_u64()),
        (200, Some(1))
    );
}

#[tokio::test]
async fn roles_and_the_audit_trail_against_the_local_stack() {
    let s = start().await;
    let mut access = Vec::new();
    for email in ["root@example.com", "ada@example.com"] {
        s.post(
            "/api/v1/users",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
        let token = s.mailed_token(email, 0).await;
        s.post("/api/v1/email-verifications", json!({"token": token}))
            .await;
        let (_, pair) = s
            .post(
                "/api/v1/sessions",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        access.push(pair["access_token"].as_str().unwrap().to_owned());
    }
    let (root, ada) = (access[0].as_str(), access[1].as_str());
    let (_, me) = s
        .call(reqwest::Method::GET, "/api/v1/users/me", Some(ada), None)
        .await;
    let ada_id = me["id"].as_str().unwrap().to_owned();
    let (_, me) = s
        .call(reqwest::Method::GET, "/api/v1/users/me", Some(root), None)
        .await;
    let root_id = me["id"].as_str().unwrap().to_owned();

    // Make ada readonly; her existing token follows at once.
    let (status, body) = s
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/users/{ada_id}/roles/readonly"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["roles"], json!(["readonly", "user"]));
    let (status, _) = s
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/users/{ada_id}/roles/user"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        s.call(reqwest::Method::GET, "/api/v1/sessions", Some(ada), None)
            .await
            .0,
        200
    );
    let (status, problem) = s
        .call(reqwest::Method::DELETE, "/api/v1/sessions", Some(ada), None)
        .await;
    assert_eq!(
        (status, problem["title"].as_str()),
        (403, Some("Access Denied"))
    );

    // The audit consumer records the role events; the admin reads them back.
    let deadline = Instant::now() + Duration::from_secs(20);
    let records = loop {
        let (status, page) = s
            .call(
                reqwest::Method::GET,
                "/api/v1/admin/audit?action=RoleGrantSucceeded",
                Some(root),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let records = page["records"].as_array().cloned().unwrap_or_default();
        if !records.is_empty() {
            break records;
        }
        assert!(
            Instant::now() < deadline,
            "no RoleGrantSucceeded audit record within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(records[0]["user_id"], root_id.as_str());
    assert_eq!(records[0]["resource_type"], "user");
    assert_eq!(records[0]["resource_id"], ada_id.as_str());
    assert_eq!(records[0]["context"]["role"], "readonly");

    // Root's own trail, two at a time, to the end; a tampered cursor is refused.
    let mut uri = format!("/api/v1/admin/audit?user_id={root_id}&limit=2");
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let (status, page) = s.call(reqwest::Method::GET, &uri, Some(root), None).await;
        assert_eq!(status, 200, "{page}");
        for r in page["records"].as_array().unwrap() {
            seen.push(r["created_at"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                cursor = Some(c.to_owned());
                uri = format!("/api/v1/admin/audit?user_id={root_id}&limit=2&cursor={c}");
            }
            None => break,
        }
    }
    assert!(seen.len() >= 4, "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {seen:?}"
    );
    let tampered = format!("{}A", cursor.unwrap());
    let (status, _) = s
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/admin/audit?user_id={root_id}&cursor={tampered}"),
            Some(root),
            None,
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn concurrent_registrations_over_http_have_one_winner() {
    let s = start().await;
    let attempts = (0..8).map(|_| {
        s.post(
            "/api/v1/users",
            json!({"email": "race@example.com", "password": PASSWORD}),
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
}

/// Rate limiting as deployed: buckets in the emulated DynamoDB table, keyed by the socket
/// peer (127.0.0.1), headers on every answer, 429 once the policy's burst is spent.
#[tokio::test]
async fn rate_limits_against_the_local_stack() {
    let local = start_with(&[("DASHTAM_RATE_LIMITS", "on")], &[]).await;
    for i in 0..3 {
        let resp = local
            .http
            .post(format!("{}/api/v1/users", local.base))
            .json(&json!({"email": format!("rl{i}@example.com"), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.headers()["x-ratelimit-limit"], "3");
        assert_eq!(
            resp.headers()["x-ratelimit-remaining"],
            (2 - i).to_string().as_str()
        );
    }
    let resp = local
        .http
        .post(format!("{}/api/v1/users", local.base))
        .json(&json!({"email": "rl3@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["retry_after"], retry_after);
    assert_eq!(body["title"], "Rate Limit Exceeded");

    // The bucket item is in the table, keyed by policy, peer IP and route template.
    let item = aws_sdk_dynamodb::Client::new(&local.stack.sdk)
        .get_item()
        .table_name(local.stack.var("DASHTAM_TABLE"))
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(
                "RATELIMIT#AUTH_REGISTER#ip:127.0.0.1#POST /api/v1/users".into(),
            ),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("RATELIMIT".into()),
        )
        .send()
        .await
        .unwrap()
        .item;
    assert!(item.is_some_and(|i| i.contains_key("ttl")));
}

#[tokio::test]
async fn the_timers_run_every_job_and_the_jobs_health_reads_the_emulated_queues() {
    let s = start().await;
    // The timers run each job once at start-up, then every --job-interval-secs.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut health = Value::Null;
    while Instant::now() < deadline {
        let (status, body) = s
            .call(reqwest::Method::GET, "/health/jobs", None, None)
            .await;
        assert_eq!(status, 200);
        health = body;
        if health["status"] == "ok" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(health["status"], "ok", "{health}");

    assert_eq!(
        s.post(
            "/api/v1/users",
            json!({"email": "root@example.com", "password": PASSWORD})
        )
        .await
        .0,
        201
    );
    let token = s.mailed_token("root@example.com", 0).await;
    s.post("/api/v1/email-verifications", json!({"token": token}))
        .await;
    let (_, login) = s
        .post(
            "/api/v1/sessions",
            json!({"email": "root@example.com", "password": PASSWORD}),
        )
        .await;
    let (status, jobs) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/jobs",
            login["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, 200, "{jobs}");
    let queues: Vec<(String, String)> = jobs["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            assert!(q["error"].is_null(), "{q}");
            assert!(q["visible"].is_u64(), "{q}");
            (
                q["name"].as_str().unwrap().to_owned(),
                q["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let q = |n: &str, r: &str| (n.to_owned(), r.to_owned());
    assert_eq!(
        queues,
        [
            q("audit", "queue"),
            q("audit", "dead_letter"),
            q("email", "queue"),
            q("email", "dead_letter"),
        ]
    );
    for schedule in jobs["schedules"].as_array().unwrap() {
        assert_eq!(schedule["last_run"]["outcome"], "ok", "{schedule}");
    }
}

#[tokio::test]
async fn a_session_about_to_expire_gets_one_audited_notice_through_the_timers() {
    let s = start_with(
        &[("DASHTAM_RATE_LIMITS", "off")],
        &["--job-interval-secs", "1"],
    )
    .await;
    let table = s.stack.var("DASHTAM_TABLE").to_owned();
    let client = aws_sdk_dynamodb::Client::new(&s.stack.sdk);
    // A session created 30 days minus 10 minutes ago, written as login would write it.
    let now = chrono::Utc::now();
    let created = now - Session::LIFETIME + chrono::Duration::minutes(10);
    let session = Session {
        id: uuid::Uuid::now_v7(),
        user_id: uuid::Uuid::now_v7(),
        device_info: None,
        user_agent: None,
        ip_address: None,
        location: None,
        created_at: created,
        last_activity_at: created,
        expires_at: created + Session::LIFETIME,
        revoked_at: None,
        revoked_reason: None,
        current_refresh_hash: TokenHash::from_hex("ab".repeat(32)),
    };
    let token = RefreshToken {
        hash: session.current_refresh_hash.clone(),
        user_id: session.user_id,
        session_id: session.id,
        token_version: 1,
        created_at: created,
        expires_at: session.expires_at,
        rotated_at: None,
    };
    DynamoSessionRepository::new(client.clone(), table.clone())
        .create(&session, &token, &[], "", &[])
        .await
        .unwrap();

    // The timer runs session-expiry every second: the notice reaches the audit trail
    // (scheduler → EventBridge → audit queue → consumer), and only once.
    let audit = DynamoAuditRepository::new(client, table);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records = audit.list_for_user(session.user_id, 100).await.unwrap();
        let notices: Vec<_> = records
            .iter()
            .filter(|r| r.action == "SessionExpiring")
            .collect();
        if let Some(notice) = notices.first() {
            assert_eq!(notice.context["session_id"], session.id.to_string());
            // A few more timer ticks add nothing.
            tokio::time::sleep(Duration::from_secs(3)).await;
            let again = audit.list_for_user(session.user_id, 100).await.unwrap();
            let count = again
                .iter()
                .filter(|r| r.action == "SessionExpiring")
                .count();
            assert_eq!(count, 1, "one notice per session");
            break;
        }
        assert!(Instant::now() < deadline, "no SessionExpiring audit record");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The live stream over the local stack: a login from a new device reaches an open
/// `GET /api/v1/events` (through the outbox's feed in the emulated table) and mails a
/// "new sign-in" alert; `Last-Event-ID` replays it on a fresh connection.
#[tokio::test]
async fn a_new_device_login_reaches_the_live_stream_and_the_mailbox() {
    let s = start().await;
    let email = "sse@example.com";
    assert_eq!(
        s.post(
            "/api/v1/users",
            json!({"email": email, "password": PASSWORD})
        )
        .await
        .0,
        201
    );
    let token = s.mailed_token(email, 0).await;
    s.post("/api/v1/email-verifications", json!({"token": token}))
        .await;
    let login = |agent: &'static str| {
        s.http
            .post(format!("{}/api/v1/sessions", s.base))
            .header("user-agent", agent)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
    };
    let first: Value = login("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = first["access_token"].as_str().unwrap().to_owned();

    let open = |last_id: Option<String>| {
        let mut req = s
            .http
            .get(format!("{}/api/v1/events?categories=security", s.base))
            .bearer_auth(&access);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        req.send()
    };
    let mut stream = open(None).await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut logged_in_again = false;
    while !text.contains("event: security.session.new") {
        assert!(Instant::now() < deadline, "no live event: {text}");
        if text.contains("retry: 3000") && !logged_in_again {
            login(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
            )
            .await
            .unwrap();
            logged_in_again = true;
        }
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(text.starts_with("retry: 3000"), "{text}");
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_owned();
    drop(stream);

    // The second device was new: an alert is in the mailbox.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, mails) = s
            .call(
                reqwest::Method::GET,
                &format!("/_local/mailbox?to={email}"),
                None,
                None,
            )
            .await;
        let alerts = mails
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["subject"] == "New sign-in to your Dashtam account")
            .count();
        if alerts == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no new-device email: {mails}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Reconnecting with Last-Event-ID: from before the event it is replayed; from the
    // event itself, nothing older comes back.
    let read_for = |mut response: reqwest::Response, wait: Duration| async move {
        let mut out = String::new();
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Ok(Ok(Some(chunk))) =
                tokio::time::timeout(Duration::from_millis(300), response.chunk()).await
            {
                out.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        out
    };
    let replayed = read_for(
        open(Some(uuid::Uuid::nil().to_string())).await.unwrap(),
        Duration::from_secs(3),
    )
    .await;
    assert!(replayed.contains(&format!("id: {id}")), "{replayed}");
    let after = read_for(
        open(Some(id.clone())).await.unwrap(),
        Duration::from_secs(3),
    )
    .await;
    assert!(after.starts_with("retry: 3000"), "{after}");
    assert!(!after.contains(&id), "{after}");
}

/// Refused writes, a cancelled transaction among them, leave no event behind and do not
/// stop the events of later writes (the emulated stream once forked at the first
/// cancelled transaction: a phantom event, then silence).
#[tokio::test]
async fn refused_writes_leave_no_event_and_later_events_still_flow() {
    let s = start_with(
        &[
            ("DASHTAM_RATE_LIMITS", "off"),
            ("RUST_LOG", "warn,dashtam_container::relay=info"),
        ],
        &[],
    )
    .await;
    let ada = "ada@example.com";
    let register = |email: &'static str| {
        s.post(
            "/api/v1/users",
            json!({"email": email, "password": PASSWORD}),
        )
    };
    assert_eq!(register(ada).await.0, 201);
    // The email marker's condition cancels the second registration's transaction.
    assert_eq!(register("ADA@example.com").await.0, 409);
    let token = s.mailed_token(ada, 0).await;
    assert_eq!(
        s.post("/api/v1/email-verifications", json!({"token": token}))
            .await
            .0,
        201
    );

    // A lockout: five wrong passwords, then the right one is refused.
    for _ in 0..5 {
        let wrong = json!({"email": ada, "password": "Wr0ng!Passw0rd"});
        assert_eq!(s.post("/api/v1/sessions", wrong).await.0, 401);
    }
    let right = json!({"email": ada, "password": PASSWORD});
    assert_eq!(s.post("/api/v1/sessions", right).await.0, 403);

    // Failed password resets: an unknown token, then a used one (twice at once).
    let unknown = json!({"token": "f".repeat(64), "new_password": "N3w!Passw0rdX"});
    assert_eq!(s.post("/api/v1/password-resets", unknown).await.0, 404);
    let asked = json!({"email": ada});
    assert_eq!(s.post("/api/v1/password-reset-tokens", asked).await.0, 201);
    let reset = s.mailed_token(ada, 1).await;
    let confirm = json!({"token": reset, "new_password": "N3w!Passw0rdX"});
    assert_eq!(
        s.post("/api/v1/password-resets", confirm.clone()).await.0,
        201
    );
    let (again, twice) = futures::join!(
        s.post("/api/v1/password-resets", confirm.clone()),
        s.post("/api/v1/password-resets", confirm)
    );
    assert_eq!((again.0, twice.0), (404, 404));

    // A new registration's email arrives within a few seconds.
    let started = Instant::now();
    assert_eq!(register("bob@example.com").await.0, 201);
    let deadline = started + Duration::from_secs(5);
    while s.mails("bob@example.com").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no verification email within 5 s: the relay stalled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waited = started.elapsed();

    // Ada got her verification, reset and password-changed emails, nothing for what was
    // refused.
    let subjects: Vec<String> = s
        .mails(ada)
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert_eq!(
        subjects.iter().filter(|s| s.contains("Verify")).count(),
        1,
        "{subjects:?}"
    );

    // Every committed event is recorded once, and nothing else is.
    let committed = s.committed().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let trail = loop {
        let trail = s.audit_trail().await;
        if trail.len() >= committed || Instant::now() > deadline {
            break trail;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let mut ids: Vec<_> = trail.iter().map(|r| r.event_id).collect();
    ids.sort();
    ids.dedup();
    let count = |action: &str| trail.iter().filter(|r| r.action == action).count();
    eprintln!(
        "events: committed {committed}, relayed {}, recorded {} ({} distinct); bob's email after {waited:?}",
        s.relayed(),
        trail.len(),
        ids.len()
    );
    assert_eq!(ids.len(), trail.len(), "one record per event");
    assert_eq!(trail.len(), committed, "every committed event, once");
    assert_eq!(
        s.relayed(),
        committed,
        "the relay published exactly what committed"
    );
    assert_eq!(
        count("UserRegistrationSucceeded"),
        2,
        "ada and bob, no phantom"
    );
    assert_eq!(count("UserRegistrationFailed"), 1);
    assert_eq!(count("PasswordResetConfirmSucceeded"), 1);
    assert_eq!(count("PasswordResetConfirmFailed"), 3);
}
