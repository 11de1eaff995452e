mod audit_record;
mod job_run;
mod one_time_token;
mod refresh_token;
mod role;
mod security_config;
mod session;
mod session_tier;
mod user;

pub use audit_record::AuditRecord;
pub use job_run::{Job, JobOutcome, JobRun};
pub use one_time_token::{OneTimeToken, OneTimeTokenKind};
pub use refresh_token::RefreshToken;
pub use role::Role;
pub use security_config::SecurityConfig;
pub use session::Session;
pub use session_tier::SessionTier;
pub use user::{LoginRefusal, User};
