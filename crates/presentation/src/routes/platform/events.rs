//! `GET /api/v1/events`: the caller's live events as Server-Sent Events.
//!
//! The stream reads the user's event feed (written with the outbox, in the same
//! transaction as the state change) by polling it. In Lambda it runs in a
//! response-streaming function behind a function URL; locally the same router serves it.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use dashtam_application::platform::ReadLiveFeed;
use dashtam_domain::{
    FieldError,
    platform::{events::StreamCategory, ports::FeedEntry, rate_limit::Policy},
};
use futures::{Stream, stream};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::routes::route;
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiQuery, Authenticated},
};

/// The categories a client may follow: the event registry's ([`StreamCategory`]).
pub const CATEGORIES: [&str; 5] = StreamCategory::NAMES;
/// Tells clients how long to wait before reconnecting (the `retry:` field).
const RECONNECT: Duration = Duration::from_millis(3000);
/// A comment line at least this often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_secs(1);
/// A stream ends after this long (a Lambda invocation lasts at most 15 minutes); the
/// client reconnects with `Last-Event-ID` and misses nothing.
const MAX_STREAM: Duration = Duration::from_secs(10 * 60);

/// One's own events: any live session may follow them.
pub fn routes() -> Vec<Route> {
    vec![route!(events, Access::Authenticated, Policy::ApiRead,)]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Comma-separated categories to follow (default: all): data_sync, provider,
    /// import, portfolio, security.
    #[param(value_type = Option<Vec<crate::schemas::names::CategoryName>>, style = Form, explode = false)]
    categories: Option<String>,
    /// Resume after this event id (same as the `Last-Event-ID` header, which wins).
    #[param(value_type = Option<Uuid>)]
    last_event_id: Option<String>,
}

/// Live events of the caller. Sends `retry: 3000` first, then `id`/`event`/`data`
/// frames, and a `: heartbeat` comment every 15 s. With `Last-Event-ID` (header or
/// query) it first replays what came after that event (kept 7 days); without it, it
/// starts with what happens from now on.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventsQuery),
    responses(
        (status = 200, content_type = "text/event-stream", description = "Server-Sent Events"),
        (status = 401, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn events(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiQuery(query): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let categories = parse_categories(query.categories.as_deref())?;
    // The header (an EventSource sends it on reconnect) may be blank; the query
    // parameter, documented as a UUID, may not.
    let header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let last = match header {
        Some(h) => Some(h).filter(|h| !h.is_empty()),
        None => query.last_event_id.as_deref(),
    };
    let after = match last {
        None => None,
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| {
            ApiError::invalid(vec![FieldError::new(
                "Last-Event-ID",
                "invalid",
                "must be the id of an event from this stream",
            )])
        })?),
    };
    let stream = LiveStream {
        state,
        feed: ReadLiveFeed::new(principal.user_id, categories, after),
        started: tokio::time::Instant::now(),
        first_poll: true,
    };
    let retry = stream::once(async { Ok(Event::default().retry(RECONNECT)) });
    let frames = stream::unfold(stream, |mut stream| async move {
        let frames = stream.next_frames().await?;
        Some((stream::iter(frames.into_iter().map(Ok)), stream))
    });
    use futures::StreamExt as _;
    Ok(Sse::new(retry.chain(frames.flatten()))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}

fn parse_categories(raw: Option<&str>) -> Result<Vec<StreamCategory>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(StreamCategory::ALL.to_vec());
    };
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match StreamCategory::parse(name) {
            Some(c) => out.push(c),
            None => {
                return Err(ApiError::invalid(vec![FieldError::new(
                    "categories",
                    "invalid",
                    format!(
                        "unknown category {name:?}; one of {}",
                        CATEGORIES.join(", ")
                    ),
                )]));
            }
        }
    }
    Ok(out)
}

/// One client's stream: the feed's position, and how long the stream has run.
struct LiveStream {
    state: AppState,
    feed: ReadLiveFeed,
    started: tokio::time::Instant,
    first_poll: bool,
}

impl LiveStream {
    /// The next frames (possibly none after a quiet poll); `None` ends the stream.
    async fn next_frames(&mut self) -> Option<Vec<Event>> {
        if self.started.elapsed() >= MAX_STREAM {
            return None;
        }
        if !std::mem::take(&mut self.first_poll) {
            tokio::time::sleep(POLL).await;
        }
        match self.feed.poll(&self.state.ports).await {
            Ok(entries) => Some(entries.iter().map(frame).collect()),
            Err(e) => {
                // The client keeps its stream; the next poll tries again.
                tracing::warn!(error = %e, "event feed read failed");
                Some(Vec::new())
            }
        }
    }
}

fn frame(entry: &FeedEntry) -> Event {
    let data = serde_json::json!({
        "event_id": entry.event_id,
        "event_type": entry.event_type,
        "occurred_at": entry.occurred_at,
        "data": entry.data,
    });
    Event::default()
        .id(entry.event_id.to_string())
        .event(&entry.event_type)
        .data(data.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_checked() {
        assert_eq!(parse_categories(None).unwrap().len(), 5);
        assert_eq!(
            parse_categories(Some("security, data_sync")).unwrap(),
            [StreamCategory::Security, StreamCategory::DataSync]
        );
        assert!(parse_categories(Some("security,nope")).is_err());
    }
}
