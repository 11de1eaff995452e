#![allow(clippy::unwrap_used)] // tests may panic on the unexpected
mod support;
#[test]
fn placeholder() {}
