//! What the consumers do with a delivered event. Both are idempotent by event id, so a
//! redelivery never makes a second audit record or a second email.

mod record_audit;
mod send_email;

pub use record_audit::RecordAudit;
pub use send_email::SendEmail;
