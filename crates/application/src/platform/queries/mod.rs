//! Use cases that only read.

mod list_audit_records;

pub use list_audit_records::{
    AuditRecordPage, DEFAULT_LOOKBACK_DAYS, ListAuditRecords, MAX_LOOKBACK_DAYS,
};
