//! Lambda function: the scheduled jobs, invoked by EventBridge schedules whose input
//! names the job (`{"job":"session-expiry"}`, `{"job":"cleanup"}`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_scheduler().await
}
