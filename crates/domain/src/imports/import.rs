//! One import of a file: where it stands, how far it got, and what it changed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{FileFormat, ImportHints};

crate::named_enum! {
    pub enum ImportStatus {
        Pending = "pending", Running = "running", Completed = "completed", Failed = "failed",
    }
}

crate::named_enum! {
    /// How the file arrived: in the request, or uploaded to the uploads bucket first.
    pub enum ImportSource { Request = "request", Upload = "upload" }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub accounts_created: u64,
    pub accounts_updated: u64,
    pub transactions_created: u64,
    pub transactions_skipped: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileImport {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The user's `chase_file` connection, once the import has run.
    pub connection_id: Option<Uuid>,
    pub file_name: String,
    pub format: FileFormat,
    pub source: ImportSource,
    /// The form's fields, kept for an upload's worker.
    pub hints: ImportHints,
    pub status: ImportStatus,
    /// Rows in the file (known once it is parsed) and rows written or skipped so far.
    pub records_total: u64,
    pub records_processed: u64,
    pub counts: ImportCounts,
    /// Why it failed, in words for the user.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency: 0 until stored.
    pub version: u64,
}

impl FileImport {
    pub fn new(
        user_id: Uuid,
        file_name: &str,
        format: FileFormat,
        source: ImportSource,
        hints: ImportHints,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            user_id,
            connection_id: None,
            file_name: file_name.to_owned(),
            format,
            source,
            hints,
            status: ImportStatus::Pending,
            records_total: 0,
            records_processed: 0,
            counts: ImportCounts::default(),
            error: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// A completed import is final: a repeated upload notification finds nothing to do.
    pub fn is_finished(&self) -> bool {
        self.status == ImportStatus::Completed
    }

    /// Starts (or, after a failure, restarts) the run over a parsed file.
    pub fn start(&mut self, connection_id: Uuid, records_total: u64, now: DateTime<Utc>) {
        self.connection_id = Some(connection_id);
        self.status = ImportStatus::Running;
        self.records_total = records_total;
        self.records_processed = 0;
        self.counts = ImportCounts::default();
        self.error = None;
        self.updated_at = now;
    }

    pub fn progress(&mut self, records_processed: u64, counts: ImportCounts, now: DateTime<Utc>) {
        self.records_processed = records_processed.min(self.records_total);
        self.counts = counts;
        self.updated_at = now;
    }

    pub fn complete(&mut self, counts: ImportCounts, now: DateTime<Utc>) {
        self.status = ImportStatus::Completed;
        self.records_processed = self.records_total;
        self.counts = counts;
        self.updated_at = now;
    }

    pub fn fail(&mut self, reason: &str, now: DateTime<Utc>) {
        self.status = ImportStatus::Failed;
        self.error = Some(reason.to_owned());
        self.updated_at = now;
    }

    /// Whole percent of the rows processed; 100 once completed, 0 before the file is read.
    pub fn progress_percent(&self) -> u8 {
        if self.status == ImportStatus::Completed {
            return 100;
        }
        if self.records_total == 0 {
            return 0;
        }
        let percent = self.records_processed.saturating_mul(100) / self.records_total;
        u8::try_from(percent.min(100)).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_whole_percent_and_a_restart_counts_afresh() {
        let now = Utc::now();
        let mut import = FileImport::new(
            Uuid::now_v7(),
            "a.ofx",
            FileFormat::Ofx,
            ImportSource::Upload,
            ImportHints::default(),
            now,
        );
        assert_eq!(import.progress_percent(), 0);
        import.start(Uuid::now_v7(), 3, now);
        import.progress(1, ImportCounts::default(), now);
        assert_eq!(import.progress_percent(), 33);
        import.fail("the store failed", now);
        assert!(!import.is_finished());
        import.start(Uuid::now_v7(), 3, now);
        assert_eq!(
            (import.records_processed, import.error.as_deref()),
            (0, None)
        );
        import.complete(ImportCounts::default(), now);
        assert_eq!(import.progress_percent(), 100);
        assert!(import.is_finished());
    }
}
