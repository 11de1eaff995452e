//! Where a function's init time goes: `cargo run --release -p dashtam-container --example init_timing`.
use std::time::Instant;

#[tokio::main]
async fn main() {
    let t = Instant::now();
    dashtam_container::init_logging();
    let a = t.elapsed();
    let config = dashtam_container::Config::from_env().expect("env");
    let b = t.elapsed();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let c = t.elapsed();
    let _ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let d = t.elapsed();
    let ports = dashtam_container::aws_ports(&config).await;
    let e = t.elapsed();
    let state = dashtam_container::app_state(ports, &config);
    let _app = dashtam_presentation::app(state, &[dashtam_presentation::Group::Users]);
    let f = t.elapsed();
    eprintln!(
        "logging {a:?} config {:?} sdk_config {:?} one_client {:?} aws_ports {:?} router {:?}",
        b - a,
        c - b,
        d - c,
        e - d,
        f - e
    );
}
