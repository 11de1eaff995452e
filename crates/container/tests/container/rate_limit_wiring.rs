//! Rate limiting as the composition root wires it: on by default, off by configuration,
//! trusted proxy hops from configuration, and fail-open when DynamoDB is unreachable.

use std::{
    collections::HashMap,
    io::Write,
    path::Path,
    sync::{Arc, Mutex},
};

use dashtam_container::{Config, Mode, memory_ports};
use dashtam_domain::platform::events::DomainEvent;
use dashtam_infrastructure::dynamodb::DynamoRateLimits;
use serde_json::{Value, json};

use crate::support::Function;

fn config(vars: &[(&str, &str)]) -> Config {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(Mode::Memory, move |k| map.get(k).cloned()).unwrap()
}

/// An API Gateway v2 registration of `email`, from `source_ip`.
fn register_event(email: &str, source_ip: &str, xff: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/apigw-register.json");
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["requestContext"]["http"]["sourceIp"] = json!(source_ip);
    event["headers"]["x-forwarded-for"] = json!(xff);
    event["body"] = json!(json!({"email": email, "password": "Str0ng!Passw0rd"}).to_string());
    event
}

/// Registers `u{i}@example.com` from 192.0.2.8, without a proxy.
async fn register(function: &Function, i: usize) -> (u16, HashMap<String, String>, Value) {
    function
        .invoke(&register_event(
            &format!("u{i}@example.com"),
            "192.0.2.8",
            "192.0.2.8",
        ))
        .await
}

#[tokio::test]
async fn limits_are_on_by_default_and_off_when_configured() {
    let function = Function::new(&config(&[]));
    for i in 0..3 {
        let (status, headers, _) = register(&function, i).await;
        assert_eq!(status, 201);
        assert_eq!(headers["x-ratelimit-limit"], "3");
    }
    let (status, headers, body) = function
        .invoke(&register_event("u3@example.com", "192.0.2.8", "192.0.2.8"))
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(headers["retry-after"], "20");
    assert_eq!(body["retry_after"], 20);

    let function = Function::new(&config(&[("DASHTAM_RATE_LIMITS", "off")]));
    for i in 0..5 {
        let (status, headers, _) = register(&function, i).await;
        assert_eq!(status, 201);
        assert!(!headers.contains_key("x-ratelimit-limit"));
    }
}

#[tokio::test]
async fn configured_limits_and_proxy_hops_reach_the_function() {
    let function = Function::new(&config(&[
        ("DASHTAM_RATE_LIMIT_AUTH_REGISTER", "2/1"),
        ("DASHTAM_TRUSTED_PROXY_HOPS", "1"),
    ]));
    // Behind one trusted proxy (10.1.1.1), which appended the viewer; API Gateway
    // appended the proxy itself.
    for viewer in ["198.51.100.1", "198.51.100.2"] {
        for i in 0..2 {
            let (status, headers, _) = function
                .invoke(&register_event(
                    &format!("{viewer}-{i}@example.com"),
                    "10.1.1.1",
                    &format!("6.6.6.6, {viewer}, 10.1.1.1"),
                ))
                .await;
            assert_eq!(status, 201);
            assert_eq!(headers["x-ratelimit-limit"], "2");
        }
    }
    let (status, _, _) = function
        .invoke(&register_event(
            "x@example.com",
            "10.1.1.1",
            "198.51.100.1, 10.1.1.1",
        ))
        .await;
    assert_eq!(status, 429);
    let ips: Vec<String> = function
        .store
        .pending_events(usize::MAX)
        .into_iter()
        .map(|e: DomainEvent| e.context.ip_address.unwrap())
        .collect();
    assert!(ips.contains(&"198.51.100.2".to_owned()), "{ips:?}");
    assert!(
        !ips.iter().any(|ip| ip == "10.1.1.1" || ip == "6.6.6.6"),
        "{ips:?}"
    );
}

/// Log lines, captured.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_unreachable_table_lets_requests_through_with_a_warning() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = config(&[]);
    let memory = memory_ports(&config);
    let mut ports = memory.ports;
    let sdk = dashtam_testkit::sdk_config("http://127.0.0.1:9").await;
    let dead = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    ports.platform.rate_limits = Arc::new(DynamoRateLimits::new(
        aws_sdk_dynamodb::Client::from_conf(dead),
        "dashtam-gone".into(),
    ));
    let function = Function::over(ports, memory.store, &config);
    for i in 0..5 {
        let (status, headers, body) = register(&function, i).await;
        assert_eq!(status, 201, "{body}");
        assert!(!headers.contains_key("x-ratelimit-limit"));
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert_eq!(logs.matches("fail-open").count(), 5, "{logs}");
    assert!(
        logs.contains("WARN") && logs.contains("AUTH_REGISTER"),
        "{logs}"
    );
}
