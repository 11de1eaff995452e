//! Lambda function: the outbox relay (DynamoDB stream of the table → EventBridge).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_relay().await
}
