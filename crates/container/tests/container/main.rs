//! The composition root's tests, as one test binary (one link instead of one per file):
//! the dependency rule, template.yaml against the code (routes, event routing, schedules),
//! the Lambda event fixtures through the handlers, rate-limit wiring, DynamoDB calls per
//! request and the outbox under injected faults (the last two on the emulated AWS).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on the unexpected

mod dependency_rule;
mod dynamodb_round_trips;
mod event_routing;
mod http_routes;
mod lambda_http;
mod lambda_queues;
mod lambda_sync;
mod operations;
mod outbox_faults;
mod rate_limit_wiring;
mod scheduler;
mod support;
mod template;
