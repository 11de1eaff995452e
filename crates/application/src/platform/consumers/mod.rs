//! What happens to events after their use case: the relay publishes what the outbox
//! holds, and the consumers react. The consumers are idempotent by event id, so a
//! redelivery never makes a second audit record or a second email.

mod record_audit;
mod relay_outbox;
mod send_email;

pub use record_audit::RecordAudit;
pub use relay_outbox::RelayOutbox;
pub use send_email::SendEmail;
