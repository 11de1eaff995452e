//! Lambda function: the tokens endpoint group.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_http(dashtam_presentation::routes::groups::tokens).await
}
