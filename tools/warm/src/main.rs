//! Warm handler overhead: each request goes through the full router (trace layer,
//! extractors, authentication against the live session, the use case) over in-memory
//! adapters, so what is timed is our code, not storage. A bare axum route returning a
//! constant is measured in the same run as the baseline, interleaved with the cases.
//!
//! `cargo run --release -p dashtam-warm-bench [-- REQUESTS]`; with `--sizing` it times the
//! typical request of each function kind instead (see `sizing.rs`).

mod sizing;

use std::time::Instant;

use axum::{
    Json, Router,
    body::Body,
    http::{Method, Request, header},
    routing::get,
};
use dashtam_container::{Config, app_state, memory_ports};
use dashtam_domain::platform::{
    events::{DomainEvent, EventPayload},
    rate_limit::{Limit, Policy},
};
use dashtam_presentation::Group;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const PASSWORD: &str = "Str0ng!Passw0rd";

/// How many interleaved slices each case's requests are split into.
const SLICES: usize = 20;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(crate) async fn send(
    router: &Router,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Result<(u16, Value), BoxError> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(b) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
    }
    let req = match body {
        Some(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))?,
        None => req.body(Body::empty())?,
    };
    let resp = router.clone().oneshot(req).await?;
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

/// Latencies of `n` sequential requests, in microseconds, sorted.
async fn measure(
    router: &Router,
    n: usize,
    path: &str,
    bearer: Option<&str>,
) -> Result<Vec<f64>, BoxError> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let (status, _) = send(router, Method::GET, path, bearer, None).await?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
        if status != 200 {
            return Err(format!("{path} answered {status}").into());
        }
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let sizing = std::env::args().any(|a| a == "--sizing");
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let mut config = Config::in_memory()?;
    // The rate limiter stays in the timed path (in-memory buckets), with limits high
    // enough that the benchmark's thousands of requests from one caller are not refused.
    for policy in Policy::ALL {
        config
            .rate_limits
            .set(policy, Limit::new(1_000_000, 60_000)?);
    }
    let memory = memory_ports(&config);
    let store = memory.store;
    let app = dashtam_presentation::app(app_state(memory.ports, &config), &Group::ALL);

    // One verified user with a live session.
    send(
        &app,
        Method::POST,
        "/api/v1/users",
        None,
        Some(json!({"email": "bench@example.com", "password": PASSWORD})),
    )
    .await?;
    // The outbox holds what the use cases emitted (nothing relays it here).
    let token = store
        .pending_events(usize::MAX)
        .into_iter()
        .find_map(|e: DomainEvent| match e.payload {
            EventPayload::UserRegistrationSucceeded {
                verification_token, ..
            } => Some(verification_token),
            _ => None,
        })
        .ok_or("no verification token published")?;
    send(
        &app,
        Method::POST,
        "/api/v1/email-verifications",
        None,
        Some(json!({"token": token})),
    )
    .await?;
    let (_, pair) = send(
        &app,
        Method::POST,
        "/api/v1/sessions",
        None,
        Some(json!({"email": "bench@example.com", "password": PASSWORD})),
    )
    .await?;
    let access = pair["access_token"]
        .as_str()
        .ok_or("login failed")?
        .to_owned();
    if sizing {
        println!("{}", sizing::run(&app, &pair).await?);
        return Ok(());
    }

    let bare = Router::new().route(
        "/health",
        get(|| async { Json(json!({"status": "healthy"})) }),
    );
    let cases: [(&str, &Router, &str, Option<&str>); 4] = [
        ("bare axum route (baseline)", &bare, "/health", None),
        ("GET /health", &app, "/health", None),
        (
            "GET /api/v1/users/me",
            &app,
            "/api/v1/users/me",
            Some(&access),
        ),
        (
            "GET /api/v1/sessions",
            &app,
            "/api/v1/sessions",
            Some(&access),
        ),
    ];
    // The cases are measured in interleaved slices (round robin), so a slower stretch of
    // a shared machine (a busy neighbour, a build) falls on every case alike, the baseline
    // included, and the ratios stay comparable from run to run.
    println!(
        "warm requests, in-memory adapters, {n} sequential requests each (after {} warm-up), \
         in {SLICES} interleaved slices",
        n / 10
    );
    for (_, router, path, bearer) in cases {
        measure(router, n / 10, path, bearer).await?;
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(n); cases.len()];
    for _ in 0..SLICES {
        for ((_, router, path, bearer), s) in cases.iter().zip(&mut samples) {
            s.extend(measure(router, n.div_ceil(SLICES), path, *bearer).await?);
        }
    }
    println!(
        "{:<30} {:>10} {:>10} {:>12} {:>12}",
        "request", "p50 µs", "p99 µs", "p50 vs bare", "p99 vs bare"
    );
    let mut baseline = None;
    for ((label, ..), s) in cases.iter().zip(&mut samples) {
        s.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(s, 50.0), percentile(s, 99.0));
        let (base50, base99) = *baseline.get_or_insert((p50, p99));
        println!(
            "{label:<30} {p50:>10.1} {p99:>10.1} {:>11.1}× {:>11.1}×",
            p50 / base50,
            p99 / base99
        );
    }
    Ok(())
}
