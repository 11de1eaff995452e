use std::collections::HashSet;

use dashtam_domain::platform::{events::StreamCategory, ports::FeedEntry};
use uuid::Uuid;

use crate::{AppError, Ports};

/// Events are ordered by their UUIDv7 id, minted before their transaction commits; one
/// committed a little late can sort before one already sent. Each poll looks back this
/// far and skips what it already sent.
pub const LOOKBACK_MS: u64 = 5_000;
/// Most entries one poll reads.
pub const PAGE: u32 = 100;

/// Where one client's live stream stands in the user's feed: each [`poll`](Self::poll)
/// answers the entries of the followed categories that came after what was already
/// answered, once each.
pub struct ReadLiveFeed {
    user_id: Uuid,
    categories: Vec<StreamCategory>,
    /// Never read at or below this id.
    floor: Uuid,
    /// Timestamp of the newest event seen, for the look-back window.
    newest_ms: u64,
    /// Ids answered within the look-back window.
    sent: HashSet<Uuid>,
}

impl ReadLiveFeed {
    /// Follows `categories` of `user_id`'s feed after event `after`, or from now on.
    pub fn new(user_id: Uuid, categories: Vec<StreamCategory>, after: Option<Uuid>) -> Self {
        // Event ids are UUIDv7 minted from the system clock: "now" is an id minted now.
        let floor = after.unwrap_or_else(dashtam_core::new_id);
        Self {
            user_id,
            categories,
            floor,
            newest_ms: id_millis(&floor),
            sent: HashSet::new(),
        }
    }

    /// The next entries (possibly none). A failed read leaves the position unchanged.
    pub async fn poll(&mut self, ports: &Ports) -> Result<Vec<FeedEntry>, AppError> {
        let from = self
            .floor
            .max(id_floor(self.newest_ms.saturating_sub(LOOKBACK_MS)));
        let entries = ports
            .platform
            .feed
            .read_after(self.user_id, Some(from), PAGE)
            .await?;
        let mut out = Vec::new();
        for entry in entries {
            if !self.sent.insert(entry.event_id) {
                continue;
            }
            self.newest_ms = self.newest_ms.max(id_millis(&entry.event_id));
            if StreamCategory::of_stream_type(&entry.event_type)
                .is_some_and(|c| self.categories.contains(&c))
            {
                out.push(entry);
            }
        }
        let horizon = id_floor(self.newest_ms.saturating_sub(LOOKBACK_MS));
        self.sent.retain(|id| *id > horizon);
        Ok(out)
    }
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
}
