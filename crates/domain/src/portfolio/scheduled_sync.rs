//! The scheduled sync's unit of work: one connection of one round.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One queue message of a scheduled round: sync this connection. `run_id` names the
/// round (the UTC hour the dispatcher ran in, `2026-12-01T12Z`), so duplicates of the
/// round's messages — a redelivery, or a second dispatcher invocation of the same tick —
/// sync the connection once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledSync {
    pub run_id: String,
    pub user_id: Uuid,
    pub connection_id: Uuid,
}
