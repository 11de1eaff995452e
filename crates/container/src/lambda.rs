use std::sync::Arc;

use aws_lambda_events::event::{dynamodb::Event as StreamEvent, sqs::SqsEvent};
use axum::{Router, extract::Request};
use dashtam_presentation::{Group, extract::ClientIp};
use lambda_http::request::RequestContext;
use lambda_runtime::{LambdaEvent, service_fn};

use crate::{
    Config, Consumer, api_ports, consumer_ports, handle_scheduled_event, handle_sqs_event,
    handle_stream_event, init_logging, relay_ports, scheduler_ports,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs one endpoint group as a Lambda function behind API Gateway (HTTP API, v2).
/// Everything is built once, before the first invocation.
pub async fn run_http(group: Group) -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let state = crate::app_state(api_ports(&config).await, &config);
    let app = client_ip_layer(dashtam_presentation::app(state, &[group]));
    lambda_http::run(app).await
}

/// Runs the live event stream as a response-streaming Lambda function (behind a function
/// URL with `InvokeMode: RESPONSE_STREAM`; its requests have the API Gateway v2 shape).
pub async fn run_http_streaming(group: Group) -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let state = crate::app_state(api_ports(&config).await, &config);
    let app = client_ip_layer(dashtam_presentation::app(state, &[group]));
    lambda_http::run_with_streaming_response(app).await
}

/// Takes the client IP from API Gateway's request context (never from headers).
pub fn client_ip_layer(router: Router) -> Router {
    router.layer(axum::middleware::map_request(
        |mut req: Request| async move {
            let ip = match req.extensions().get::<RequestContext>() {
                Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
                _ => None,
            };
            if let Some(ip) = ip {
                req.extensions_mut().insert(ClientIp(ip));
            }
            req
        },
    ))
}

/// Runs a queue consumer as a Lambda function with an SQS event source mapping.
pub async fn run_consumer(consumer: Consumer) -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(consumer_ports(&config, consumer).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_sqs_event(&ports, consumer, event.payload).await) }
    }))
    .await
}

/// Runs the outbox relay as a Lambda function on the table's DynamoDB stream.
pub async fn run_relay() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(relay_ports(&config).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StreamEvent>| {
        let ports = ports.clone();
        async move { Ok::<_, BoxError>(handle_stream_event(&ports, event.payload).await) }
    }))
    .await
}

/// Runs the scheduled jobs as a Lambda function invoked by EventBridge schedules; the
/// invocation's input names the job. Answers the recorded run.
pub async fn run_scheduler() -> Result<(), BoxError> {
    init_logging();
    let config = Config::from_env()?;
    let ports = Arc::new(scheduler_ports(&config).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let ports = ports.clone();
        async move {
            let run = handle_scheduled_event(&ports, &event.payload).await?;
            Ok::<_, BoxError>(serde_json::to_value(run)?)
        }
    }))
    .await
}
