//! `GET /api/v1/events`: the caller's live events as Server-Sent Events.
//!
//! The stream reads the user's event feed (written with the outbox, in the same
//! transaction as the state change) by polling it. In Lambda it runs in a
//! response-streaming function behind a function URL; locally the same router serves it.

use std::{collections::HashSet, convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::{HeaderMap, Method},
    response::sse::{Event, KeepAlive, Sse},
    routing::get,
};
use dashtam_domain::{FieldError, ports::FeedEntry};
use futures::{Stream, stream};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{Access, Route};
use crate::{
    ApiError, AppState,
    extract::{ApiQuery, Authenticated},
};

/// The categories a client may follow (API.md "Events and audit").
pub const CATEGORIES: [&str; 5] = ["data_sync", "provider", "import", "portfolio", "security"];
/// Tells clients how long to wait before reconnecting (the `retry:` field).
const RECONNECT: Duration = Duration::from_millis(3000);
/// A comment line at least this often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_secs(1);
/// A stream ends after this long (a Lambda invocation lasts at most 15 minutes); the
/// client reconnects with `Last-Event-ID` and misses nothing.
const MAX_STREAM: Duration = Duration::from_secs(10 * 60);
/// Events are ordered by their UUIDv7 id, minted before their transaction commits; one
/// committed a little late can sort before one already sent. Each poll looks back this
/// far and skips what it already sent.
const LOOKBACK_MS: u64 = 5_000;
const PAGE: u32 = 100;

/// One's own events: any live session may follow them.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/v1/events",
        Access::Authenticated,
        get(events),
    )]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Comma-separated categories to follow (default: all): data_sync, provider,
    /// import, portfolio, security.
    categories: Option<String>,
    /// Resume after this event id (same as the `Last-Event-ID` header, which wins).
    last_event_id: Option<String>,
}

/// Live events of the caller. Sends `retry: 3000` first, then `id`/`event`/`data`
/// frames, and a `: heartbeat` comment every 15 s. With `Last-Event-ID` (header or
/// query) it first replays what came after that event (kept 7 days); without it, it
/// starts with what happens from now on.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventsQuery),
    security(("bearer" = [])),
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
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.last_event_id);
    let after = match last.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| {
            ApiError::invalid(vec![FieldError::new(
                "Last-Event-ID",
                "invalid",
                "must be the id of an event from this stream",
            )])
        })?),
    };
    // Event ids are UUIDv7 minted from the system clock: "now" is an id minted now.
    let now = dashtam_core::new_id();
    let feed = Feed {
        state,
        user_id: principal.user_id,
        categories,
        // Without Last-Event-ID: what happens from now on.
        floor: after.unwrap_or(now),
        newest_ms: id_millis(&after.unwrap_or(now)),
        sent: HashSet::new(),
        started: tokio::time::Instant::now(),
        first_poll: true,
    };
    let retry = stream::once(async { Ok(Event::default().retry(RECONNECT)) });
    let frames = stream::unfold(feed, |mut feed| async move {
        let frames = feed.next_frames().await?;
        Some((stream::iter(frames.into_iter().map(Ok)), feed))
    });
    use futures::StreamExt as _;
    Ok(Sse::new(retry.chain(frames.flatten()))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}

fn parse_categories(raw: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(CATEGORIES.to_vec());
    };
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match CATEGORIES.iter().find(|c| **c == name) {
            Some(c) => out.push(*c),
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

/// Where one client's stream stands.
struct Feed {
    state: AppState,
    user_id: Uuid,
    categories: Vec<&'static str>,
    /// Never read at or below this id.
    floor: Uuid,
    /// Timestamp of the newest event seen, for the look-back window.
    newest_ms: u64,
    /// Ids sent within the look-back window.
    sent: HashSet<Uuid>,
    started: tokio::time::Instant,
    first_poll: bool,
}

impl Feed {
    /// The next frames (possibly none after a quiet poll); `None` ends the stream.
    async fn next_frames(&mut self) -> Option<Vec<Event>> {
        if self.started.elapsed() >= MAX_STREAM {
            return None;
        }
        if !std::mem::take(&mut self.first_poll) {
            tokio::time::sleep(POLL).await;
        }
        let from = self
            .floor
            .max(id_floor(self.newest_ms.saturating_sub(LOOKBACK_MS)));
        let entries = match self
            .state
            .ports
            .feed
            .read_after(self.user_id, Some(from), PAGE)
            .await
        {
            Ok(entries) => entries,
            Err(e) => {
                // The client keeps its stream; the next poll tries again.
                tracing::warn!(error = %e, "event feed read failed");
                return Some(Vec::new());
            }
        };
        let mut frames = Vec::new();
        for entry in entries {
            if !self.sent.insert(entry.event_id) {
                continue;
            }
            self.newest_ms = self.newest_ms.max(id_millis(&entry.event_id));
            if self.categories.contains(&entry.category()) {
                frames.push(frame(&entry));
            }
        }
        let horizon = id_floor(self.newest_ms.saturating_sub(LOOKBACK_MS));
        self.sent.retain(|id| *id > horizon);
        Some(frames)
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

/// The smallest id of millisecond `ms` (a UUIDv7 is its 48-bit timestamp, then the rest).
fn id_floor(ms: u64) -> Uuid {
    Uuid::from_u128(u128::from(ms) << 80)
}

fn id_millis(id: &Uuid) -> u64 {
    u64::try_from(id.as_u128() >> 80).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_floor_sorts_before_every_id_of_that_millisecond() {
        let id = Uuid::now_v7();
        let ms = id_millis(&id);
        assert!(id_floor(ms) < id);
        assert!(id_floor(ms + 1) > id);
        assert!(
            id_floor(ms).to_string() < id.to_string(),
            "string order too"
        );
    }

    #[test]
    fn categories_are_checked() {
        assert_eq!(parse_categories(None).unwrap().len(), 5);
        assert_eq!(
            parse_categories(Some("security, data_sync")).unwrap(),
            ["security", "data_sync"]
        );
        assert!(parse_categories(Some("security,nope")).is_err());
    }
}
