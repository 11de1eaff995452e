//! The adapter tests, one binary: the DynamoDB repositories, the AWS messaging, secrets
//! and email adapters and the jobs' storage against the emulated AWS (a fresh stack from
//! template.yaml per test, via dashtam-testkit), and the security adapters and the
//! provider clients (against the sandbox brokerage over HTTP) without it.

#![allow(clippy::unwrap_used)] // a test that fails on a surprise should panic

mod aws;
mod dynamodb;
mod jobs;
mod providers;
mod security;
mod support;
