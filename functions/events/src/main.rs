//! Lambda function: the live event stream (`GET /api/v1/events`), with response
//! streaming behind a function URL.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_http_streaming(dashtam_presentation::routes::groups::events).await
}
