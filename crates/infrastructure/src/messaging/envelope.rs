//! The message format consumers read.
//!
//! EventBridge delivers a rule's matches to SQS as
//! `{"version":"0","id":…,"detail-type":NAME,"source":"dashtam","account":…,"time":…,
//! "region":…,"resources":[],"detail":<DomainEvent JSON>}`. [`SqsPublisher`] writes the same
//! shape, so a consumer parses one format whichever way the event came.
//!
//! The envelope `id` is EventBridge's own id (a fresh one per put, even for a retried
//! event); consumers deduplicate on `detail.event_id`.
//!
//! [`SqsPublisher`]: super::SqsPublisher

use chrono::SecondsFormat;
use dashtam_domain::platform::events::DomainEvent;
use serde_json::{Value, json};

/// The `source` of every Dashtam event on the bus (rules match on it).
pub const SOURCE: &str = "dashtam";

/// The EventBridge-style envelope of `event`, as [`SqsPublisher`] sends it. `id` is the
/// event id; `account` and `region` are empty (no bus was involved).
///
/// [`SqsPublisher`]: super::SqsPublisher
pub fn envelope(event: &DomainEvent) -> Value {
    json!({
        "version": "0",
        "id": event.event_id.to_string(),
        "detail-type": event.name(),
        "source": SOURCE,
        "account": "",
        "time": event.occurred_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "region": "",
        "resources": [],
        "detail": event,
    })
}

/// The [`DomainEvent`] in an envelope's `detail`.
pub fn parse_envelope(body: &str) -> Result<DomainEvent, String> {
    let mut value: Value =
        serde_json::from_str(body).map_err(|e| format!("message body is not JSON: {e}"))?;
    let detail = value
        .get_mut("detail")
        .map(Value::take)
        .ok_or_else(|| "message body has no `detail` field".to_owned())?;
    // EventBridge may hand `detail` through as a string if it was put as one; accept both.
    let detail = match detail {
        Value::String(s) => {
            serde_json::from_str(&s).map_err(|e| format!("`detail` is not JSON: {e}"))?
        }
        other => other,
    };
    serde_json::from_value(detail).map_err(|e| format!("`detail` is not a DomainEvent: {e}"))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use dashtam_domain::platform::events::{EventContext, EventPayload};

    use super::*;

    fn event() -> DomainEvent {
        DomainEvent::new(
            EventPayload::UserLoginAttempted {
                email: "a@example.com".into(),
            },
            None,
            &EventContext::default(),
            Utc::now(),
        )
    }

    #[test]
    fn envelope_round_trips() {
        let e = event();
        let v = envelope(&e);
        assert_eq!(v["detail-type"], "UserLoginAttempted");
        assert_eq!(v["source"], SOURCE);
        assert_eq!(v["id"], e.event_id.to_string());
        assert_eq!(parse_envelope(&v.to_string()), Ok(e));
    }

    #[test]
    fn detail_as_a_string_is_accepted() {
        let e = event();
        let mut v = envelope(&e);
        v["detail"] = Value::String(serde_json::to_string(&e).unwrap_or_default());
        assert_eq!(parse_envelope(&v.to_string()), Ok(e));
    }

    #[test]
    fn bad_bodies_are_errors() {
        assert!(parse_envelope("not json").is_err());
        assert!(parse_envelope(r#"{"source":"dashtam"}"#).is_err());
        assert!(parse_envelope(r#"{"detail":{"event_id":"x"}}"#).is_err());
    }
}
