//! Scheduled-sync benchmark on the emulator: N active Alpaca connections (the sandbox's
//! investor keys, AES-GCM sealed) written to the table; one dispatcher round through
//! `RunJob { SyncDispatch }` — the index Queries, the SendMessageBatch calls, the time;
//! then the sync worker (`process_sync_message`, `workers` pollers of up to ten messages
//! each, as Lambda's event source would run them) draining the sync queue against the
//! sandbox brokerage: messages per second and DynamoDB calls per connection.
//!
//! `cargo run --release -p dashtam-dispatch-bench [-- --connections N --drain M --workers W]`
//! (defaults 1000, 1000, 4; `DASHTAM_TEST_AWS_ENDPOINT` = an emulator to use instead of
//! starting one).

mod calls;
mod stack;

use std::{process::ExitCode, sync::Arc, time::Instant};

use dashtam_application::platform::jobs::RunJob;
use dashtam_container::{SyncMessageOutcome, process_sync_message};
use dashtam_domain::platform::entities::Job;

use crate::calls::{Calls, SqsCalls, line};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    connections: usize,
    drain: usize,
    workers: usize,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        connections: 1000,
        drain: 1000,
        workers: 4,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{flag} wants a positive number"))?;
        match flag.as_str() {
            "--connections" => out.connections = value,
            "--drain" => out.drain = value,
            "--workers" => out.workers = value,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    out.drain = out.drain.min(out.connections);
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dispatch-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dispatch-bench: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dispatch-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    let stack = dashtam_testkit::provision_stack().await;
    let sandbox =
        dashtam_sandbox::Sandbox::spawn(dashtam_sandbox::SandboxConfig::default()).await?;
    let (dynamo, sqs) = (Calls::default(), SqsCalls::default());
    let bench = stack::Bench::new(&stack, &sandbox, &dynamo, &sqs);
    println!(
        "dispatch benchmark: {} active connections on the emulator ({}), {} drained by {} worker(s) against the sandbox",
        args.connections, stack.endpoint, args.drain, args.workers
    );

    let seeded = Instant::now();
    bench.seed(args.connections).await?;
    println!(
        "  seeded {} connections in {:.1} s (not measured below)",
        args.connections,
        seeded.elapsed().as_secs_f64()
    );
    dynamo.take();
    sqs.0.take();

    // The index read on its own, to split the round's time (not part of the round).
    let started = Instant::now();
    let listed = bench.ports.providers.connections.list_scheduled().await?;
    println!(
        "index read alone: {} connections in {:.0} ms ({})",
        listed.len(),
        started.elapsed().as_secs_f64() * 1000.0,
        line(&dynamo.take())
    );

    let started = Instant::now();
    let run = RunJob {
        job: Job::SyncDispatch,
    }
    .execute(&bench.ports)
    .await?;
    let elapsed = started.elapsed();
    let (d, q) = (dynamo.take(), sqs.0.take());
    println!(
        "dispatcher round: {:.0} ms; counts {:?}",
        elapsed.as_secs_f64() * 1000.0,
        run.counts
    );
    println!("  DynamoDB calls: {}", line(&d));
    println!("  SQS calls:      {}", line(&q));
    let scans = d.get("Scan").copied().unwrap_or(0);
    let sends = q.get("SendMessageBatch").copied().unwrap_or(0);
    println!(
        "  Scan: {scans}; SendMessageBatch: {sends} for {} messages (ceil(N/10) = {})",
        args.connections,
        args.connections.div_ceil(10)
    );

    // The worker: pollers as an event source mapping runs them.
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let pollers = (0..args.workers).map(|_| {
        let (ports, client, url, done) = (
            bench.ports.clone(),
            bench.sqs.clone(),
            bench.queue_url.clone(),
            done.clone(),
        );
        let target = args.drain;
        async move {
            let mut failures = 0usize;
            while done.load(std::sync::atomic::Ordering::SeqCst) < target {
                let received = client
                    .receive_message()
                    .queue_url(&url)
                    .max_number_of_messages(10)
                    .wait_time_seconds(1)
                    .send()
                    .await?;
                for m in received.messages() {
                    if done.load(std::sync::atomic::Ordering::SeqCst) >= target {
                        break;
                    }
                    let outcome = process_sync_message(
                        &ports,
                        m.body().unwrap_or_default(),
                        m.receipt_handle(),
                    )
                    .await;
                    match outcome {
                        Ok(SyncMessageOutcome::Done(_)) => {
                            if let Some(h) = m.receipt_handle() {
                                client
                                    .delete_message()
                                    .queue_url(&url)
                                    .receipt_handle(h)
                                    .send()
                                    .await?;
                            }
                            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        Ok(SyncMessageOutcome::Postponed(_)) | Err(_) => failures += 1,
                    }
                }
            }
            Ok::<usize, BoxError>(failures)
        }
    });
    let failures: usize = futures::future::try_join_all(pollers)
        .await?
        .into_iter()
        .sum();
    let elapsed = started.elapsed().as_secs_f64();
    let drained = done.load(std::sync::atomic::Ordering::SeqCst);
    let (d, q) = (dynamo.take(), sqs.0.take());
    let per = |n: u64| n as f64 / drained.max(1) as f64;
    println!(
        "worker: {drained} connections synced in {elapsed:.1} s = {:.1} connections/s ({} failed attempts)",
        drained as f64 / elapsed,
        failures
    );
    println!(
        "  DynamoDB calls: {} ({:.1} per connection)",
        line(&d),
        per(d.values().sum())
    );
    println!("  SQS calls:      {}", line(&q));
    let counters = sandbox.counters();
    println!("  sandbox calls:  {counters:?}");
    Ok(())
}
