//! Lambda function: account, transaction and holdings syncs (the calls that reach the
//! providers).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_provider_http(dashtam_presentation::routes::groups::syncs).await
}
