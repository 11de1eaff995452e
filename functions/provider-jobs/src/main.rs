//! Lambda function: the financial half's scheduled jobs, invoked by EventBridge schedules
//! whose input names the job (`{"job":"sync-dispatch"}`, `{"job":"token-care"}`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_provider_jobs().await
}
