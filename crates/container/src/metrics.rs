//! Business metrics in CloudWatch's embedded metric format (EMF): one JSON line on stdout
//! that CloudWatch Logs turns into metrics, so recording one costs no API call on the
//! request path. Written only inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set); locally and
//! in tests `emit` does nothing. Namespace `Dashtam`, one dimension: the function's name.

use std::{
    io::Write as _,
    sync::OnceLock,
    time::{SystemTime, UNIX_EPOCH},
};

use serde_json::{Map, Value, json};

pub const NAMESPACE: &str = "Dashtam";

/// The metrics' names, in one place (dashboards and alarms refer to them).
pub mod names {
    pub const LOGINS: &str = "Logins";
    pub const LOGINS_FAILED: &str = "LoginsFailed";
    pub const REGISTRATIONS: &str = "Registrations";
    pub const EVENTS_RELAYED: &str = "EventsRelayed";
    pub const RELAY_LAG: &str = "RelayLagMs";
    pub const DUPLICATES_DROPPED: &str = "DuplicatesDropped";
    pub const SCHEDULED_SYNCS: &str = "ScheduledSyncs";
    pub const SCHEDULED_SYNCS_SKIPPED: &str = "ScheduledSyncsSkipped";
    pub const SCHEDULED_SYNCS_POSTPONED: &str = "ScheduledSyncsPostponed";
}

#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
        }
    }
}

static FUNCTION: OnceLock<Option<String>> = OnceLock::new();

/// Reads the function's name once (called by `init_logging`).
pub fn init() {
    FUNCTION.get_or_init(|| std::env::var("AWS_LAMBDA_FUNCTION_NAME").ok());
}

/// Writes one EMF line with `metrics` when running in Lambda.
pub fn emit(metrics: &[(&str, f64, Unit)]) {
    let Some(Some(function)) = FUNCTION.get() else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    // One write per line, so it never interleaves with a log line.
    let _ = writeln!(std::io::stdout().lock(), "{}", line(function, metrics, now));
}

/// The EMF document: `_aws` declares the metrics, the top level holds their values.
pub fn line(function: &str, metrics: &[(&str, f64, Unit)], timestamp_ms: u64) -> Value {
    let declared: Vec<Value> = metrics
        .iter()
        .map(|(name, _, unit)| json!({"Name": name, "Unit": unit.as_str()}))
        .collect();
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": declared,
            }],
        }),
    );
    doc.insert("Function".into(), function.into());
    for (name, value, _) in metrics {
        doc.insert((*name).into(), json!(value));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_each_metric_and_carries_its_value() {
        let doc = line(
            "dashtam-outbox-relay-dev",
            &[
                (names::EVENTS_RELAYED, 3.0, Unit::Count),
                (names::RELAY_LAG, 120.0, Unit::Milliseconds),
            ],
            1_700_000_000_000,
        );
        let aws = &doc["_aws"];
        assert_eq!(aws["Timestamp"], 1_700_000_000_000u64);
        let directive = &aws["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Dashtam");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "EventsRelayed", "Unit": "Count"}, {"Name": "RelayLagMs", "Unit": "Milliseconds"}])
        );
        assert_eq!(doc["Function"], "dashtam-outbox-relay-dev");
        assert_eq!(doc["EventsRelayed"], 3.0);
        assert_eq!(doc["RelayLagMs"], 120.0);
    }
}
