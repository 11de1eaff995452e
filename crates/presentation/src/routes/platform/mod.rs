//! Platform: the live event stream, the health of the jobs and queues, the audit trail
//! and the system routes (root, health, OpenAPI, docs).

pub mod audit;
pub mod events;
pub mod jobs;
pub mod system;
