//! Lambda function: provider connections, the catalogue and the OAuth callbacks.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_provider_http(dashtam_presentation::routes::groups::providers).await
}
