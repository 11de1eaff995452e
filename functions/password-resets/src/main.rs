//! Lambda function: the password resets endpoint group.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_http(dashtam_presentation::routes::groups::password_resets).await
}
