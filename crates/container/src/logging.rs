//! Logs: JSON lines in Lambda (CloudWatch), readable lines on a terminal. `RUST_LOG` filters.
//!
//! In Lambda each line carries, at the top level, the fields of every span it is logged
//! in: the runtime's invocation span gives `request_id` (and `xray_trace_id` when Lambda
//! sends one), the HTTP trace layer's span gives `trace_id`. A CloudWatch Logs Insights
//! query can then join a request's lines by any of the three.

use std::fmt;

use serde_json::{Map, Value};
use tracing::{Event, Subscriber, field::Field};
use tracing_subscriber::{
    EnvFilter,
    fmt::{
        FmtContext, FormatEvent, FormatFields, FormattedFields,
        format::{JsonFields, Writer},
        time::{FormatTime, SystemTime},
    },
    registry::LookupSpan,
};

pub fn init_logging() {
    crate::metrics::init();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // `try_init`: a second call (tests) is harmless.
    let _ = if in_lambda {
        builder
            .fmt_fields(JsonFields::new())
            .event_format(LambdaJson)
            .try_init()
    } else {
        builder.compact().try_init()
    };
}

/// One JSON object per event: timestamp, level, the span fields (outermost first, the
/// runtime's camelCase names made snake_case), then the event's own fields.
pub struct LambdaJson;

/// The Lambda runtime's span field names, as the rest of our logs spell fields.
fn field_name(name: &str) -> &str {
    match name {
        "requestId" => "request_id",
        "xrayTraceId" => "xray_trace_id",
        "tenantId" => "tenant_id",
        other => other,
    }
}

impl<S, N> FormatEvent<S, N> for LambdaJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = Map::new();
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        line.insert("timestamp".into(), timestamp.into());
        line.insert("level".into(), event.metadata().level().as_str().into());
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else {
                    continue;
                };
                // JsonFields renders a span's fields as one JSON object.
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                    for (k, v) in fields {
                        line.insert(field_name(&k).to_owned(), v);
                    }
                }
            }
        }
        event.record(&mut JsonVisitor(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl tracing::field::Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_carries_the_request_id_the_xray_header_and_the_trace_id() {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(JsonFields::new())
            .event_format(LambdaJson)
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            // The spans lambda_runtime and the HTTP trace layer open.
            let invoke = tracing::info_span!(
                "Lambda runtime invoke",
                requestId = "8f5e-req",
                xrayTraceId = "Root=1-abc;Parent=def;Sampled=1"
            );
            let _invoke = invoke.enter();
            let request = tracing::info_span!("request", trace_id = "01a1-trace");
            let _request = request.enter();
            tracing::info!(status = 201u16, latency_ms = 1.5, "request");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let line: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["request_id"], "8f5e-req");
        assert_eq!(line["xray_trace_id"], "Root=1-abc;Parent=def;Sampled=1");
        assert_eq!(line["trace_id"], "01a1-trace");
        assert_eq!(line["status"], 201);
        assert_eq!(line["message"], "request");
        assert_eq!(line["level"], "INFO");
        assert!(line["timestamp"].as_str().is_some_and(|t| t.contains('T')));
    }
}
