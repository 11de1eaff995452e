//! DynamoDB calls by operation (`X-Amz-Target`'s last part, e.g. `TransactWriteItems`),
//! counted by an SDK interceptor: what the benchmarks report.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};

#[derive(Debug, Clone, Default)]
pub struct DynamoCalls(Arc<Mutex<BTreeMap<String, u64>>>);

impl Intercept for DynamoCalls {
    fn name(&self) -> &'static str {
        "count-dynamodb-calls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("?");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(operation).or_default() += 1;
        }
        Ok(())
    }
}

impl DynamoCalls {
    /// The calls since the last `take`, and resets.
    pub fn take(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }

    /// A DynamoDB client for the emulator whose every call this counts.
    pub fn client(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }
}
