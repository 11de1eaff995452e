//! DynamoDB calls by operation (the testkit's interceptor on the table's client), and
//! how the report prints them.

use std::collections::BTreeMap;

pub use dashtam_testkit::DynamoCalls as Calls;

pub fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// `TransactWriteItems 1021, Query 3, …`
pub fn line(calls: &BTreeMap<String, u64>) -> String {
    let mut by_count: Vec<(&String, &u64)> = calls.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    by_count
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
