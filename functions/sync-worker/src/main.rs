//! Lambda function: the sync worker (SQS event source on the sync queue, partial batch
//! responses), one scheduled sync of one connection per message.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_sync_worker().await
}
