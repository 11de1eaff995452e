//! Lambda function: reads of accounts, transactions, holdings and balances.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    dashtam_container::run_portfolio_http(dashtam_presentation::routes::groups::portfolio).await
}
