//! DynamoDB calls per request, counted: the real DynamoDB adapters against the emulator,
//! through the HTTP routers, with an SDK interceptor that records every call. Keeps the
//! table in the README honest and catches a change that adds a round trip.
//!
//! With `DASHTAM_RECORD_MEASUREMENTS=1` it also writes the calls of the cost model's
//! request kinds (sizes and item counts included) to `infra/measurements/dynamodb-calls.json`,
//! which `infra/cost.py` reads (`scripts/cost.sh` runs both).

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use dashtam_application::{
    IdentitySettings, Ports,
    platform::consumers::{RecordAudit, RelayOutbox, SendEmail},
};
use dashtam_domain::platform::events::EventPayload;
use dashtam_infrastructure::{
    dynamodb::{StreamReader, Table},
    memory::{MemoryMailbox, RecordingPublisher},
};
use dashtam_presentation::{AppState, Group, HttpConfig, extract::ClientIp};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Call, Calls, PASSWORD, table_ports};

struct App {
    router: axum::Router,
    calls: Calls,
    /// The table's stream: where the outbox's events (with the mailed tokens) show up.
    stream: tokio::sync::Mutex<StreamReader>,
    /// Ports over the same counted table, for the relay and the consumers.
    ports: Ports,
    /// The calls of the last request, and those kept for the cost model by kind.
    last: std::sync::Mutex<Vec<Call>>,
    recorded: std::sync::Mutex<BTreeMap<String, Vec<Call>>>,
    /// The client IP of the requests (registration is limited per IP).
    ip: std::sync::Mutex<&'static str>,
}

impl App {
    async fn new() -> Self {
        Self::over(None).await
    }

    /// With the providers over the table and their clients against `sandbox`.
    async fn over(sandbox: Option<&dashtam_sandbox::Sandbox>) -> Self {
        let stack = dashtam_testkit::provision_stack().await;
        let calls = Calls::default();
        let conf = aws_sdk_dynamodb::config::Builder::from(&stack.sdk)
            .interceptor(calls.clone())
            .build();
        let table = Table::new(
            aws_sdk_dynamodb::Client::from_conf(conf),
            stack.var("DASHTAM_TABLE").to_owned(),
        );
        let stream = StreamReader::open(&stack.sdk, stack.var("DASHTAM_TABLE"))
            .await
            .unwrap();
        let consumer_ports = table_ports(
            &table,
            Arc::new(RecordingPublisher::default()),
            Arc::new(MemoryMailbox::default()),
        );
        let mut ports = table_ports(
            &table,
            Arc::new(RecordingPublisher::default()),
            Arc::new(MemoryMailbox::default()),
        );
        ports.identity.settings = IdentitySettings {
            admin_emails: ["root@example.com".to_owned()].into(),
        };
        if let Some(sandbox) = sandbox {
            crate::support::with_sandbox(&mut ports, &table, sandbox);
        }
        let state = AppState::new(
            ports,
            HttpConfig {
                api_base_url: "http://test".into(),
                version: "test",
                trusted_proxy_hops: 0,
            },
        )
        .with_rate_limits(Default::default());
        Self {
            router: dashtam_presentation::app(state, &Group::ALL),
            calls,
            stream: tokio::sync::Mutex::new(stream),
            ports: consumer_ports,
            last: Default::default(),
            recorded: Default::default(),
            ip: std::sync::Mutex::new("203.0.113.10"),
        }
    }

    /// Keeps the last request's calls as the cost model's `kind`.
    fn record(&self, kind: &str) {
        let calls = self.last.lock().unwrap().clone();
        self.recorded.lock().unwrap().insert(kind.to_owned(), calls);
    }

    /// Keeps the calls made since the last take as `kind`; answers their operations.
    fn record_since(&self, kind: &str) -> Vec<String> {
        let calls = self.calls.take_calls();
        let ops = calls.iter().map(|c| c.op.clone()).collect();
        self.recorded.lock().unwrap().insert(kind.to_owned(), calls);
        ops
    }

    /// Sends a request; answers the status, the body and the DynamoDB calls it made.
    async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, Vec<String>) {
        self.calls.take();
        let mut req = Request::builder().method(method).uri(path);
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let mut req = match body {
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let ip = *self.ip.lock().unwrap();
        req.extensions_mut().insert(ClientIp(ip.into()));
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let calls = self.calls.take_calls();
        let ops = calls.iter().map(|c| c.op.clone()).collect();
        *self.last.lock().unwrap() = calls;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            ops,
        )
    }

    /// Sends a request and checks its status and the DynamoDB calls it made (`calls`:
    /// operation names separated by spaces, `Name*N` for N in a row); answers the body.
    async fn expect(
        &self,
        (method, path, bearer, body): (Method, &str, Option<&str>, Option<Value>),
        status: u16,
        calls: &str,
        why: &str,
    ) -> Value {
        let (got, answer, made) = self.call(method, path, bearer, body).await;
        // DASHTAM_SHOW_CALLS=1 prints what each request made instead of checking it (to
        // write the expectations of a new route).
        if std::env::var_os("DASHTAM_SHOW_CALLS").is_some() {
            eprintln!("{why}: {got} {}", made.join(" "));
            return answer;
        }
        assert_eq!(got, status, "{why}: {answer}");
        assert_eq!(made, ops(calls), "{why}");
        answer
    }

    async fn verified_login(&self, email: &str) -> Value {
        let credentials = json!({"email": email, "password": PASSWORD});
        let (status, _, _) = self
            .call(
                Method::POST,
                "/api/v1/users",
                None,
                Some(credentials.clone()),
            )
            .await;
        assert_eq!(status, 201);
        let token = self
            .stream
            .lock()
            .await
            .next_events()
            .await
            .unwrap()
            .iter()
            .rev()
            .find_map(|e| match &e.payload {
                EventPayload::UserRegistrationSucceeded {
                    verification_token, ..
                } => Some(verification_token.clone()),
                _ => None,
            })
            .unwrap();
        let verify = json!({"token": token});
        let (status, _, _) = self
            .call(
                Method::POST,
                "/api/v1/email-verifications",
                None,
                Some(verify),
            )
            .await;
        assert_eq!(status, 201);
        let (status, pair, _) = self
            .call(Method::POST, "/api/v1/sessions", None, Some(credentials))
            .await;
        assert_eq!(status, 201);
        pair
    }
}

fn get<'a>(path: &'a str, bearer: &'a str) -> (Method, &'a str, Option<&'a str>, Option<Value>) {
    (Method::GET, path, Some(bearer), None)
}

fn post<'a>(
    path: &'a str,
    bearer: Option<&'a str>,
    body: Option<Value>,
) -> (Method, &'a str, Option<&'a str>, Option<Value>) {
    (Method::POST, path, bearer, body)
}

/// `"GetItem Query*2"` → `["GetItem", "Query", "Query"]`.
fn ops(calls: &str) -> Vec<String> {
    calls
        .split_whitespace()
        .flat_map(|op| {
            let (name, times) = op.split_once('*').unwrap_or((op, "1"));
            std::iter::repeat_n(name.to_owned(), times.parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn each_request_makes_the_documented_dynamodb_calls() {
    let app = App::new().await;
    let ada = json!({"email": "ada@example.com", "password": PASSWORD});
    // Every request first takes a token from its bucket: one UpdateItem.
    app.expect(
        post("/api/v1/users", None, Some(ada)),
        201,
        "UpdateItem TransactWriteItems",
        "register",
    )
    .await;
    app.record("register");

    app.verified_login("bob@example.com").await;
    let bob = json!({"email": "bob@example.com", "password": PASSWORD});
    let pair = app
        .expect(
            post("/api/v1/sessions", None, Some(bob)),
            201,
            "UpdateItem GetItem*3 Query TransactWriteItems",
            "login: bucket, marker, user, security config, the user's sessions, one write",
        )
        .await;
    app.record("login");
    let access = pair["access_token"].as_str().unwrap();

    let me = "/api/v1/users/me";
    let why = "GET /users/me: bucket + session and user (current roles) in one batch";
    let bob_id = app
        .expect(get(me, access), 200, "UpdateItem BatchGetItem", why)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.record("read");
    // Right after, the bucket is part-used: the adapter's hint picks the matching
    // conditional update first, so it is still one call, not two.
    let why = "GET /users/me again";
    app.expect(get(me, access), 200, "UpdateItem BatchGetItem", why)
        .await;
    let why = "GET /sessions: bucket + session and user, then the list";
    app.expect(
        get("/api/v1/sessions", access),
        200,
        "UpdateItem BatchGetItem Query",
        why,
    )
    .await;
    let refresh = json!({"refresh_token": pair["refresh_token"]});
    app.expect(
        post("/api/v1/tokens", None, Some(refresh)),
        201,
        "UpdateItem GetItem*4 TransactWriteItems",
        "refresh",
    )
    .await;
    app.record("refresh");
    // A request with a bad token only reaches its (per-IP) bucket.
    app.expect(get(me, "not-a-jwt"), 401, "UpdateItem", "bad token")
        .await;

    let root = app.verified_login("root@example.com").await;
    let root = root["access_token"].as_str().unwrap();
    app.expect(
        get("/api/v1/admin/security/config", root),
        200,
        "UpdateItem BatchGetItem GetItem",
        "admin: bucket + session and user (roles) in one batch, then the config",
    )
    .await;

    // Granting a role: authenticate, read the target, the conditional save and its events
    // in one transaction.
    let grant = format!("/api/v1/admin/users/{bob_id}/roles/readonly");
    let calls = "UpdateItem BatchGetItem GetItem TransactWriteItems";
    app.expect(post(&grant, Some(root), None), 201, calls, "grant role")
        .await;
    let why = "grant held role: the user is not written, the attempt is still recorded";
    app.expect(post(&grant, Some(root), None), 200, calls, why)
        .await;

    // The audit trail of one user: one Query on GSI1.
    let by_user = format!("/api/v1/admin/audit?user_id={bob_id}&limit=10");
    let calls = "UpdateItem BatchGetItem Query";
    app.expect(get(&by_user, root), 200, calls, "audit by user")
        .await;
    // Without a user, one Query per UTC day from now back to `since`: the default 30-day
    // window over an empty trail is the worst case within one request (31 days).
    let calls = "UpdateItem BatchGetItem Query*31";
    let why = "audit, default window, empty trail";
    app.expect(get("/api/v1/admin/audit", root), 200, calls, why)
        .await;

    // Jobs health: one last-run read per schedule, one Query per partition of the
    // waiting-events index (queue depths are SQS calls).
    app.expect(
        get("/api/v1/admin/jobs", root),
        200,
        "UpdateItem BatchGetItem GetItem*4 Query*4",
        "admin jobs: bucket + session and user + one last run per schedule + relay lag",
    )
    .await;
    app.expect(
        (Method::GET, "/health/jobs", None, None),
        200,
        "UpdateItem GetItem*4 Query*4",
        "health/jobs: bucket + one last run per schedule + relay lag",
    )
    .await;

    event_path(&app).await;
    if std::env::var_os("DASHTAM_RECORD_MEASUREMENTS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../infra/measurements/dynamodb-calls.json"
        );
        let recorded = app.recorded.lock().unwrap().clone();
        let text = serde_json::to_string_pretty(&recorded).unwrap();
        std::fs::write(path, text + "\n").unwrap();
    }
}

/// One event through the outbox to both consumers: a registration (audited, and mailed).
/// The relay deletes its outbox item after the publish; the audit consumer appends one
/// record; the email consumer claims the event, sends, and completes the claim.
async fn event_path(app: &App) {
    *app.ip.lock().unwrap() = "203.0.113.11";
    let eve = json!({"email": "eve@example.com", "password": PASSWORD});
    app.expect(
        post("/api/v1/users", None, Some(eve)),
        201,
        "UpdateItem TransactWriteItems",
        "register",
    )
    .await;
    let event = app
        .stream
        .lock()
        .await
        .next_events()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| matches!(e.payload, EventPayload::UserRegistrationSucceeded { .. }))
        .unwrap();
    let ports = &app.ports;
    app.calls.take();
    RelayOutbox {
        events: std::slice::from_ref(&event),
    }
    .execute(ports)
    .await
    .unwrap();
    assert_eq!(
        app.record_since("relay"),
        ops("DeleteItem"),
        "relay: acknowledges the outbox item"
    );
    assert!(RecordAudit { event: &event }.execute(ports).await.unwrap());
    assert_eq!(
        app.record_since("audit_consumer"),
        ops("PutItem"),
        "audit: one conditional put"
    );
    assert!(SendEmail { event: &event }.execute(ports).await.unwrap());
    let calls = app.record_since("email_consumer");
    assert_eq!(
        calls,
        ops("PutItem UpdateItem"),
        "email: claim, then complete"
    );
}

/// The financial routes' calls: each list or page is one Query, a sync of N new
/// transactions one keys-only Query plus a write per 49.
#[tokio::test]
async fn financial_requests_make_the_documented_dynamodb_calls() {
    use dashtam_sandbox::{Profile, Sandbox, SandboxConfig};
    let sandbox = Sandbox::spawn(SandboxConfig::default()).await.unwrap();
    let app = App::over(Some(&sandbox)).await;
    let pair = app.verified_login("fin@example.com").await;
    let access = pair["access_token"].as_str().unwrap();
    let body = json!({"provider_slug": "schwab"});
    let started = app
        .expect(
            post("/api/v1/providers", Some(access), Some(body)),
            201,
            "UpdateItem BatchGetItem PutItem TransactWriteItems",
            "connect Schwab: bucket, authentication, the OAuth state, the attempt",
        )
        .await;
    let state = started["state"].as_str().unwrap();
    let redirect = crate::support::REDIRECT_URI;
    let code = sandbox
        .authorize("sandbox-client", redirect, state, Profile::Investor)
        .await
        .replace('@', "%40");
    let callback = format!("/api/v1/providers/callback?code={code}&state={state}");
    let connection = app
        .expect(
            post(&callback, None, None),
            201,
            "UpdateItem DeleteItem TransactWriteItems",
            "callback: bucket, the state taken by a conditional delete, the connection with its event",
        )
        .await;
    let id = connection["id"].as_str().unwrap().to_owned();
    let calls = "UpdateItem BatchGetItem Query";
    app.expect(
        get("/api/v1/providers", access),
        200,
        calls,
        "list connections",
    )
    .await;
    let one = format!("/api/v1/providers/{id}");
    app.expect(
        get(&one, access),
        200,
        "UpdateItem BatchGetItem GetItem",
        "one connection",
    )
    .await;
    let sync = json!({"connection_id": id});
    app.expect(
        post("/api/v1/accounts/syncs", Some(access), Some(sync.clone())),
        201,
        "UpdateItem BatchGetItem GetItem PutItem Query TransactWriteItems",
        "first account sync: connection, claim, the user's accounts, one commit (accounts, markers, snapshots, connection, events)",
    )
    .await;
    let forced = json!({"connection_id": id, "force": true});
    app.expect(
        post("/api/v1/accounts/syncs", Some(access), Some(forced)),
        201,
        "UpdateItem BatchGetItem GetItem PutItem Query Query*2 TransactWriteItems",
        "forced resync: as above plus each account's latest snapshot",
    )
    .await;
    app.expect(
        post("/api/v1/accounts/syncs", Some(access), Some(sync.clone())),
        429,
        "UpdateItem BatchGetItem GetItem PutItem",
        "within 5 minutes: the claim is refused, nothing else",
    )
    .await;
    let accounts = app
        .expect(get("/api/v1/accounts", access), 200, calls, "list accounts")
        .await;
    let account = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] != "Roth IRA")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tx = json!({"connection_id": id});
    let synced = app
        .expect(
            post("/api/v1/transactions/syncs", Some(access), Some(tx.clone())),
            201,
            "UpdateItem BatchGetItem GetItem Query Query TransactWriteItems Query TransactWriteItems TransactWriteItems",
            "transaction sync: connection, accounts, per account a keys-only read and a write per 49 new, then the events",
        )
        .await;
    assert!(
        synced["transactions_created"].as_u64().unwrap() > 0,
        "{synced}"
    );
    app.expect(
        post("/api/v1/transactions/syncs", Some(access), Some(tx)),
        201,
        "UpdateItem BatchGetItem GetItem Query Query*2 TransactWriteItems",
        "repeated: the keys-only reads find everything, nothing is written but the events",
    )
    .await;
    let page = format!("/api/v1/accounts/{account}/transactions?limit=5");
    let first = app
        .expect(
            get(&page, access),
            200,
            "UpdateItem BatchGetItem GetItem Query",
            "a page: the account, one Query",
        )
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = format!("{page}&cursor={cursor}");
    app.expect(
        get(&next, access),
        200,
        "UpdateItem BatchGetItem GetItem Query",
        "the next page: still one Query",
    )
    .await;
    let one_tx = format!(
        "/api/v1/transactions/{}",
        first["transactions"][0]["id"].as_str().unwrap()
    );
    app.expect(
        get(&one_tx, access),
        200,
        "UpdateItem BatchGetItem Query",
        "one transaction: its id on GSI1",
    )
    .await;
    let holdings_sync = format!("/api/v1/accounts/{account}/holdings/syncs");
    app.expect(
        post(&holdings_sync, Some(access), None),
        201,
        "UpdateItem BatchGetItem GetItem GetItem PutItem Query Query TransactWriteItems",
        "holdings sync: account, connection, claim, holdings, latest snapshot, one commit",
    )
    .await;
    app.expect(
        get("/api/v1/holdings", access),
        200,
        calls,
        "holdings of every account",
    )
    .await;
    let of_account = format!("/api/v1/accounts/{account}/holdings");
    app.expect(
        get(&of_account, access),
        200,
        "UpdateItem BatchGetItem GetItem Query",
        "one account's holdings",
    )
    .await;
    app.expect(
        get("/api/v1/balance-snapshots", access),
        200,
        "UpdateItem BatchGetItem Query Query*2",
        "latest snapshots: the accounts, then one Query per account",
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    let history =
        format!("/api/v1/accounts/{account}/balance-history?start_date={today}&end_date={today}");
    app.expect(
        get(&history, access),
        200,
        "UpdateItem BatchGetItem GetItem Query",
        "balance history",
    )
    .await;
    app.expect(
        get("/api/v1/portfolio/net-worth", access),
        200,
        "UpdateItem BatchGetItem Query Query*4",
        "net worth: the accounts, then per account the snapshot before the range and the range",
    )
    .await;
    app.expect(
        get("/api/v1/portfolio/summary", access),
        200,
        "UpdateItem BatchGetItem Query Query Query*2",
        "summary: the accounts and the holdings, then per account its snapshot at the end of yesterday",
    )
    .await;
    let recent = format!("/api/v1/accounts/{account}/balance-snapshots?limit=5");
    app.expect(
        get(&recent, access),
        200,
        "UpdateItem BatchGetItem GetItem Query",
        "recent snapshots",
    )
    .await;
    let provider_accounts = format!("/api/v1/providers/{id}/accounts");
    app.expect(
        get(&provider_accounts, access),
        200,
        "UpdateItem BatchGetItem GetItem Query",
        "a connection's accounts",
    )
    .await;
    app.expect(
        (
            Method::PATCH,
            one.as_str(),
            Some(access),
            Some(json!({"alias": "Main"})),
        ),
        200,
        "UpdateItem BatchGetItem GetItem PutItem",
        "rename",
    )
    .await;
    let refresh = format!("/api/v1/providers/{id}/token-refreshes");
    app.expect(
        post(&refresh, Some(access), None),
        201,
        "UpdateItem BatchGetItem GetItem TransactWriteItems",
        "token refresh: the new credentials with their events",
    )
    .await;
    app.expect(
        (Method::DELETE, one.as_str(), Some(access), None),
        204,
        "UpdateItem BatchGetItem GetItem Query TransactWriteItems TransactWriteItems",
        "disconnect: connection, accounts, the connection's save with the events, the accounts'",
    )
    .await;
    app.expect(
        (Method::GET, "/api/v1/provider-catalog", None, None),
        200,
        "UpdateItem",
        "the catalogue: only the bucket",
    )
    .await;
}
