//! What the suites share: the sample events in `events/`, an HTTP function as Lambda
//! runs it (over memory ports), and ports over an emulated stack's table.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents,
    interceptors::{
        AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    },
};

use axum::{Router, body::Body};
use dashtam_application::{
    IdentitySettings, ImportSettings, PlatformPorts, Ports, ProviderPorts, ProviderSettings,
};
use dashtam_container::{
    Config, ProviderClients, app_state, client_ip_layer, identity_over_table, imports_over_table,
    memory_ports, platform_over_table, portfolio_over_table, providers_over_table,
};
use dashtam_core::SystemClock;
use dashtam_domain::platform::{
    events::DomainEvent,
    ports::{EmailSender, EventOutbox, EventPublisher},
};
use dashtam_infrastructure::{
    dynamodb::Table,
    memory::{InProcessQueue, MemoryStore, MemoryUploads, PlainComposer},
    security::{HmacCursorSealer, JwtAccessTokens, StaticSigningKey},
};
use dashtam_presentation::{Group, app};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

pub const PASSWORD: &str = "Str0ng!Passw0rd";

pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

pub fn events_dir() -> PathBuf {
    repo_file("events")
}

/// The fixtures whose file name starts with `prefix`, sorted.
pub fn fixtures(prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(events_dir())
        .expect("events/ next to the workspace manifest")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no events/{prefix}*.json");
    files
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture(name: &str) -> Value {
    read_json(&events_dir().join(name))
}

/// An HTTP function as Lambda runs it (every group), over memory ports.
pub struct Function {
    pub router: Router,
    /// Its outbox: what the use cases recorded.
    pub store: Arc<MemoryStore>,
}

impl Function {
    pub fn new(config: &Config) -> Self {
        let memory = memory_ports(config);
        Self::over(memory.ports, memory.store, config)
    }

    pub fn over(ports: Ports, store: Arc<MemoryStore>, config: &Config) -> Self {
        Self {
            router: client_ip_layer(app(app_state(ports, config), &Group::ALL)),
            store,
        }
    }

    /// Runs an API Gateway v2 event (as JSON) through the router: status, headers, body.
    pub async fn invoke(&self, event: &Value) -> (u16, HashMap<String, String>, Value) {
        let request = lambda_http::request::from_str(&event.to_string())
            .expect("an API Gateway v2 request event");
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A plain in-process request (no API Gateway context).
    pub async fn plain(&self, req: axum::http::Request<Body>) -> (u16, Value) {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Everything the outbox received since the last drain.
    pub async fn drain(&mut self) -> Vec<DomainEvent> {
        let out = self.store.pending_events(usize::MAX);
        let ids: Vec<_> = out.iter().map(|e| e.event_id).collect();
        self.store.acknowledge(&ids).await.unwrap();
        out
    }
}

/// Every port over `table` (the DynamoDB adapters, rate limits included, as deployed),
/// through the production constructors, with fixed signing keys, and `events` and
/// `email` as the test wants them.
pub fn table_ports(
    table: &Table,
    events: Arc<dyn EventPublisher>,
    email: Arc<dyn EmailSender>,
) -> Ports {
    Ports {
        identity: identity_over_table(
            table,
            Arc::new(JwtAccessTokens::with_fixed_key("k".repeat(64), 900)),
            IdentitySettings::default(),
        ),
        platform: PlatformPorts {
            cursors: Arc::new(HmacCursorSealer::new(Arc::new(StaticSigningKey::new(
                "c".repeat(64),
            )))),
            events,
            email,
            email_composer: Arc::new(PlainComposer),
            // Queue depths are SQS calls, not DynamoDB ones.
            queues: InProcessQueue::new(),
            ..platform_over_table(table)
        },
        // The providers need clients: `with_sandbox`.
        providers: ProviderPorts::unwired(),
        portfolio: portfolio_over_table(table),
        // The uploads bucket is S3's business, not the table's.
        imports: imports_over_table(
            table,
            Arc::new(MemoryUploads::new("http://uploads.test")),
            ImportSettings::default(),
        ),
        clock: Arc::new(SystemClock),
    }
}

/// Where the test ports' Schwab sends the browser back.
pub const REDIRECT_URI: &str = "http://test/oauth/schwab/callback";

/// The providers over `table`, their real clients against `sandbox`, a test key.
pub fn with_sandbox(ports: &mut Ports, table: &Table, sandbox: &dashtam_sandbox::Sandbox) {
    use dashtam_infrastructure::{
        providers::{
            alpaca::{AlpacaClient, AlpacaConfig},
            schwab::{SchwabClient, SchwabConfig, SchwabOAuth},
        },
        security::AesGcmCipher,
    };
    let schwab = SchwabConfig::new("sandbox-client", "sandbox-secret".to_owned().into())
        .with_base_url(sandbox.schwab_base());
    let alpaca = AlpacaConfig::default().with_base_url(sandbox.alpaca_base());
    let key = dashtam_core::SecretString::from("k".repeat(64));
    ports.providers = providers_over_table(
        table,
        ProviderClients {
            schwab: Arc::new(SchwabClient::new(schwab.clone()).unwrap()),
            schwab_oauth: Arc::new(SchwabOAuth::new(schwab).unwrap()),
            alpaca: Arc::new(AlpacaClient::new(alpaca).unwrap()),
            cipher: Arc::new(AesGcmCipher::from_secret(&key).unwrap()),
        },
        ProviderSettings {
            default_redirect_uri: REDIRECT_URI.into(),
        },
    );
}

/// Records every call: its operation (`X-Amz-Target`, e.g. `DynamoDB_20120810.GetItem`),
/// and for the cost model (`infra/cost.py`) how many items it reads or writes, whether
/// it reads consistently, and the request's and the response's size.
#[derive(Debug, Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<Call>>>);

#[derive(Debug, Clone, serde::Serialize)]
pub struct Call {
    pub op: String,
    /// TransactWriteItems: its items; BatchGetItem: its keys; otherwise 1.
    pub items: usize,
    pub consistent: bool,
    pub request_bytes: usize,
    pub response_bytes: usize,
}

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-dynamodb-calls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let request = context.request();
        let target = request.headers().get("x-amz-target").unwrap_or("?");
        let op = target.rsplit('.').next().unwrap_or(target).to_owned();
        let body = request.body().bytes().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let items = match op.as_str() {
            "TransactWriteItems" => json["TransactItems"].as_array().map_or(1, Vec::len),
            "BatchGetItem" => json["RequestItems"].as_object().map_or(1, |t| {
                t.values()
                    .map(|v| v["Keys"].as_array().map_or(0, Vec::len))
                    .sum()
            }),
            _ => 1,
        };
        let consistent = json.to_string().contains("\"ConsistentRead\":true");
        self.0.lock().unwrap().push(Call {
            op,
            items,
            consistent,
            request_bytes: body.len(),
            response_bytes: 0,
        });
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let size = context.response().body().bytes().map_or(0, <[u8]>::len);
        if let Some(last) = self.0.lock().unwrap().last_mut() {
            last.response_bytes = size;
        }
        Ok(())
    }
}

impl Calls {
    /// The operations since the last take.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().into_iter().map(|c| c.op).collect()
    }

    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
