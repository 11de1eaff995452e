mod audit_record;
mod job_run;

pub use audit_record::AuditRecord;
pub use job_run::{Job, JobOutcome, JobRun};
