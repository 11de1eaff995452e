use tracing_subscriber::{EnvFilter, fmt};

/// JSON lines in Lambda (CloudWatch), readable lines on a terminal. `RUST_LOG` filters.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = fmt().with_env_filter(filter).with_target(false);
    // `try_init`: a second call (tests) is harmless.
    let _ = if in_lambda {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.compact().try_init()
    };
}
