//! The cold-start baseline: the smallest useful `lambda_runtime` function.
//!
//! `dashtam-coldstart` measures every function's init time against this binary
//! (ARCHITECTURE.md, "Performance budgets": init within 2x of a bare hello-world).
//! Keep it bare: no tracing subscriber, no configuration, no clients.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn handler(_event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(json!({
        "statusCode": 200,
        "headers": { "content-type": "application/json" },
        "body": "{\"hello\":\"world\"}",
        "isBase64Encoded": false
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
