//! Lambda function: imports uploaded files, on the uploads bucket's notifications
//! through SQS.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_import_worker().await
}
