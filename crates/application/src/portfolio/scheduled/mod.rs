//! Scheduled syncs: the dispatcher fans a round out (one queue message per active
//! connection) and the worker syncs one connection per message.

mod dispatch_syncs;
mod run_scheduled_sync;

pub use dispatch_syncs::{DispatchSyncs, run_id};
pub use run_scheduled_sync::{ROUND_CLAIM, RunScheduledSync, ScheduledSyncOutcome};
