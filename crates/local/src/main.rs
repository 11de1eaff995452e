//! `dashtam-local`: the whole product in one process.
//!
//! Every endpoint group on one port, the audit and email consumers and the sync worker
//! running in process (polling the emulated SQS queues the way Lambda's event source
//! mappings do, or reading in-process queues with `--in-memory`), the scheduled jobs —
//! session expiry, cleanup, the sync dispatcher, token care — on timers (as the
//! EventBridge schedules run them on AWS), a mailbox route for local emails, and the
//! sandbox brokerage (Schwab and Alpaca imitations) on its own port.

mod args;
mod mailbox;
mod pollers;
mod timers;
mod uploads;

use std::{net::SocketAddr, sync::Arc};

use axum::extract::ConnectInfo;
use dashtam_container::{
    Config, Consumer, InMemory, TrustRoots, app_state, aws_ports, init_logging, memory_ports,
    relay_memory, relay_stream, sdk_config,
};
use dashtam_presentation::{Group, extract::ClientIp};
use pollers::supervise;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    init_logging();
    let args = args::Args::parse(std::env::args().skip(1))?;
    if let Some(queue) = &args.redrive {
        return redrive(queue).await;
    }
    let config = if args.in_memory {
        Config::in_memory()?
    } else {
        Config::from_env()?
    };
    if config.rate_limits_enabled {
        tracing::info!(
            trusted_proxy_hops = config.trusted_proxy_hops,
            "rate limiting on (DASHTAM_RATE_LIMITS=off switches it off for development)"
        );
    } else {
        tracing::info!("rate limiting switched off (DASHTAM_RATE_LIMITS=off)");
    }
    let mailbox_dir = config
        .mailbox_dir
        .clone()
        .unwrap_or_else(|| ".local/mailbox".into());
    let mut config = Config {
        mailbox_dir: Some(mailbox_dir.clone()),
        ..config
    };
    if args.sandbox_port != 0 {
        point_providers_at_sandbox(&mut config, args.sandbox_port);
    }

    let mut local_uploads = None;
    let ports = if args.in_memory {
        let InMemory {
            ports,
            store,
            published,
            queue,
            sync_queue,
            uploads,
            ..
        } = memory_ports(&config);
        let ports = Arc::new(ports);
        local_uploads = Some(uploads::router(ports.clone(), uploads));
        let worker_ports = ports.clone();
        supervise("sync-worker", move || {
            pollers::drain_sync_queue(worker_ports.clone(), sync_queue.clone())
        });
        let (relay_ports, drain_ports) = (ports.clone(), ports.clone());
        supervise("relay", move || {
            relay_memory(relay_ports.clone(), store.clone())
        });
        // The channel cannot be shared by restarts: if this one ends, events stop.
        if let Some(published) = published {
            tokio::spawn(pollers::drain_channel(drain_ports, published, queue));
        }
        ports
    } else {
        let sdk = sdk_config(config.tls_roots).await;
        let ports = Arc::new(aws_ports(&config, sdk.clone()).await?);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        // The relay Lambda's stand-in: the table's stream → the event bus.
        let (relay_ports, table) = (ports.clone(), config.table.clone());
        supervise("relay", move || {
            relay_stream(relay_ports.clone(), sdk.clone(), table.clone())
        });
        for (consumer, url) in [
            (Consumer::Audit, &config.audit_queue_url),
            (Consumer::Email, &config.email_queue_url),
            (Consumer::Imports, &config.imports.queue_url),
        ] {
            match url {
                Some(url) => {
                    let (ports, sqs, url) = (ports.clone(), sqs.clone(), url.clone());
                    supervise(consumer.as_str(), move || {
                        pollers::poll_queue(ports.clone(), consumer, sqs.clone(), url.clone())
                    });
                }
                None => tracing::warn!(?consumer, "no queue URL configured: consumer not started"),
            }
        }
        match &config.sync_queue_url {
            Some(url) => {
                let (worker_ports, sqs, url) = (ports.clone(), sqs.clone(), url.clone());
                supervise("sync-worker", move || {
                    pollers::poll_sync_queue(worker_ports.clone(), sqs.clone(), url.clone())
                });
            }
            None => tracing::warn!("no sync queue URL configured: sync worker not started"),
        }
        ports
    };

    timers::start(ports.clone(), args.job_interval_secs);
    if args.sandbox_port != 0 {
        start_sandbox(&args.host, args.sandbox_port).await?;
    }

    let state = app_state(Arc::unwrap_or_clone(ports), &config);
    let mut app = dashtam_presentation::app(state, &Group::ALL).merge(mailbox::router(mailbox_dir));
    if let Some(uploads) = local_uploads {
        app = app.merge(uploads);
    }
    let app = app.layer(axum::middleware::map_request(peer_ip));
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        mode = if args.in_memory { "in-memory" } else { "aws" },
        "dashtam-local listening"
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Locally the providers are the sandbox brokerage, unless their URLs are configured.
fn point_providers_at_sandbox(config: &mut Config, port: u16) {
    let sandbox = format!("http://127.0.0.1:{port}/_sandbox");
    let providers = &mut config.providers;
    if std::env::var_os("DASHTAM_SCHWAB_BASE_URL").is_none() {
        providers.schwab_base_url = format!("{sandbox}/schwab");
    }
    if std::env::var_os("DASHTAM_ALPACA_BASE_URL").is_none() {
        providers.alpaca_base_url = format!("{sandbox}/alpaca");
    }
    tracing::info!(
        schwab = %providers.schwab_base_url,
        alpaca = %providers.alpaca_base_url,
        "provider base URLs"
    );
}

/// Serves the sandbox brokerage (real clock) on its own port, in a task.
async fn start_sandbox(
    host: &str,
    port: u16,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind((host, port)).await.map_err(|e| {
        format!("sandbox brokerage: cannot listen on {host}:{port} ({e}); --sandbox-port 0 disables it")
    })?;
    let port = listener.local_addr()?.port();
    tracing::info!("sandbox brokerage at http://127.0.0.1:{port}/_sandbox/{{schwab,alpaca}}");
    let config = dashtam_sandbox::SandboxConfig {
        clock: Arc::new(dashtam_core::SystemClock),
        ..Default::default()
    };
    tokio::spawn(async move {
        if let Err(e) = dashtam_sandbox::serve(listener, config).await {
            tracing::error!(error = %e, "sandbox brokerage stopped");
        }
    });
    Ok(())
}

/// Locally the client IP is the socket peer (API Gateway's `sourceIp` on AWS).
async fn peer_ip(mut req: axum::extract::Request) -> axum::extract::Request {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        req.extensions_mut().insert(ClientIp(addr.ip().to_string()));
    }
    req
}

/// Moves the dead letters of the `audit` or `email` queue back onto it (URLs from
/// `DASHTAM_<QUEUE>_QUEUE_URL` and `DASHTAM_<QUEUE>_DLQ_URL`).
async fn redrive(queue: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let var = |kind: &str| {
        let name = format!("DASHTAM_{}_{kind}_URL", queue.to_uppercase());
        std::env::var(&name).map_err(|_| format!("{name} is not set"))
    };
    let (source, dlq) = (var("QUEUE")?, var("DLQ")?);
    let sdk = sdk_config(TrustRoots::Aws).await;
    let moved = dashtam_infrastructure::messaging::redrive(
        &aws_sdk_sqs::Client::new(&sdk),
        &dlq,
        &source,
        usize::MAX,
    )
    .await?;
    println!("redrive: {moved} message(s) moved from {dlq} back to {source}");
    Ok(())
}
