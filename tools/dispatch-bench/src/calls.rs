//! Calls by operation (`X-Amz-Target`'s last part), counted by an SDK interceptor on the
//! DynamoDB and the SQS client.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

#[derive(Debug, Clone, Default)]
pub struct Calls(Arc<Mutex<BTreeMap<String, u64>>>);

impl Calls {
    fn count(&self, target: &str) {
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(operation).or_default() += 1;
        }
    }

    /// The calls since the last `take`, and resets.
    pub fn take(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

impl aws_sdk_dynamodb::config::Intercept for Calls {
    fn name(&self) -> &'static str {
        "count-dynamodb-calls"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.count(
            context
                .request()
                .headers()
                .get("x-amz-target")
                .unwrap_or("?"),
        );
        Ok(())
    }
}

/// SQS's own interceptor trait (the same shape, another crate's types).
#[derive(Debug, Clone, Default)]
pub struct SqsCalls(pub Calls);

impl aws_sdk_sqs::config::Intercept for SqsCalls {
    fn name(&self) -> &'static str {
        "count-sqs-calls"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_sqs::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_sqs::config::RuntimeComponents,
        _: &mut aws_sdk_sqs::config::ConfigBag,
    ) -> Result<(), aws_sdk_sqs::error::BoxError> {
        self.0.count(
            context
                .request()
                .headers()
                .get("x-amz-target")
                .unwrap_or("?"),
        );
        Ok(())
    }
}

/// `GetItem 3, Query 4`.
pub fn line(calls: &BTreeMap<String, u64>) -> String {
    if calls.is_empty() {
        return "none".to_owned();
    }
    calls
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
