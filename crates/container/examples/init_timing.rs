//! Where an HTTP function's init time goes, step by step:
//! `DASHTAM_TABLE=t DASHTAM_EVENT_BUS=b DASHTAM_JWT_SECRET_ID=s AWS_REGION=us-east-1 \
//!  cargo run --release -p dashtam-container --example init_timing`

use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    dashtam_container::init_logging();
    let logging = started.elapsed();
    let config = dashtam_container::Config::from_env()?;
    let config_read = started.elapsed();
    let ports = dashtam_container::api_ports(&config).await;
    let wired = started.elapsed();
    let state = dashtam_container::app_state(ports, &config);
    let _router = dashtam_presentation::app(state, &[dashtam_presentation::Group::Users]);
    let routed = started.elapsed();
    eprintln!(
        "logging {logging:?}, config {:?}, SDK config + clients {:?}, router {:?}",
        config_read - logging,
        wired - config_read,
        routed - wired
    );
    Ok(())
}
