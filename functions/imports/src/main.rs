//! Lambda function: statement file imports (in the request, or uploads started) and
//! their progress.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_import_http(dashtam_presentation::routes::groups::imports).await
}
