//! Use cases that only read.

mod get_current_user;
mod get_security_config;
mod get_session;
mod list_sessions;

pub use get_current_user::GetCurrentUser;
pub use get_security_config::GetSecurityConfig;
pub use get_session::GetSession;
pub use list_sessions::ListSessions;
