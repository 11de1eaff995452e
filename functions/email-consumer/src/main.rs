//! Lambda function: the email queue consumer (SQS event source, partial batch responses).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_consumer(dashtam_container::Consumer::Email).await
}
