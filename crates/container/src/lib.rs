//! Composition root: configuration → adapters → [`Ports`] → [`AppState`] (`wiring`, per
//! context and mode), and the runners that put them behind Lambda's HTTP, SQS, DynamoDB
//! stream and schedule invocations or the local stack (`runners`).

mod config;
mod logging;
pub mod metrics;
mod runners;
mod tls;
mod wiring;

pub use config::{Config, ConfigError, ImportConfig, Mode, ProviderConfig, rate_limit_var};
pub use logging::init_logging;
pub use runners::{
    Consumer, SyncMessageOutcome, business_metric, client_ip_layer, handle_scheduled_event,
    handle_sqs_event, handle_stream_event, handle_sync_event, handle_upload_event, job_from_event,
    process_message, process_sync_message, process_upload_message, relay_memory, relay_stream,
    run_consumer, run_http, run_http_streaming, run_import_http, run_import_worker,
    run_portfolio_http, run_provider_http, run_provider_jobs, run_relay, run_scheduler,
    run_sync_worker,
};
pub use tls::TrustRoots;
pub use wiring::{
    InMemory, MemoryBuilder, ProviderClients, api_ports, aws_ports, consumer_ports,
    identity_over_table, import_ports, imports_over_table, memory_ports, platform_over_table,
    portfolio_api_ports, portfolio_over_table, provider_api_ports, providers_over_table,
    relay_ports, scheduler_ports, sdk_config, sync_ports,
};

use dashtam_application::Ports;
use dashtam_presentation::{AppState, HttpConfig};

/// The HTTP state for `ports` under `config`: rate limiting over `ports.platform.rate_limits`
/// unless `DASHTAM_RATE_LIMITS=off`.
pub fn app_state(ports: Ports, config: &Config) -> AppState {
    let state = AppState::new(
        ports,
        HttpConfig {
            api_base_url: config.api_base_url.clone(),
            version: env!("CARGO_PKG_VERSION"),
            trusted_proxy_hops: config.trusted_proxy_hops,
        },
    );
    if config.rate_limits_enabled {
        state.with_rate_limits(config.rate_limits.clone())
    } else {
        state
    }
}
