//! Use cases that only read.

mod get_current_user;
mod get_security_config;
mod get_session;
mod list_audit_records;
mod list_sessions;

pub use get_current_user::GetCurrentUser;
pub use get_security_config::GetSecurityConfig;
pub use get_session::GetSession;
pub use list_audit_records::{
    AuditRecordPage, DEFAULT_LOOKBACK_DAYS, ListAuditRecords, MAX_LOOKBACK_DAYS,
};
pub use list_sessions::ListSessions;
