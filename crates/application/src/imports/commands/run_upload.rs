use dashtam_domain::{
    imports::{FileImport, ImportStatus, StatementFile, Upload},
    platform::events::EventContext,
};

use crate::{
    AppError, EventBatch, Ports,
    imports::{
        file_problem::file_problem,
        parse_upload_key,
        run::{attempted_event, failed_event, merge_accounts, run},
    },
};

/// Runs the import of an uploaded file, when the uploads bucket says it arrived. Safe to
/// repeat: a completed import is left alone, a failed or interrupted one runs again.
pub struct RunUpload {
    /// The object's key in the uploads bucket.
    pub key: String,
    pub context: EventContext,
}

/// What became of one notification. Errors (`Err`) are worth retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    Completed,
    /// Already completed (a repeated notification).
    AlreadyDone,
    /// The file was refused; the record says why. Final.
    Refused,
    /// Not an import's upload, or its record is gone. Nothing to do.
    Unknown,
}

impl RunUpload {
    pub async fn execute(self, ports: &Ports) -> Result<UploadOutcome, AppError> {
        let Some((user_id, import_id)) = parse_upload_key(&self.key) else {
            tracing::warn!(key = %self.key, "an upload notification for no import");
            return Ok(UploadOutcome::Unknown);
        };
        let Some(mut import) = ports.imports.imports.find(user_id, import_id).await? else {
            tracing::warn!(key = %self.key, "an upload whose import record is gone");
            return Ok(UploadOutcome::Unknown);
        };
        if import.status == ImportStatus::Completed {
            return Ok(UploadOutcome::AlreadyDone);
        }
        let settings = &ports.imports.settings;
        let bytes = match ports
            .imports
            .uploads
            .fetch(&self.key, settings.max_upload_bytes)
            .await?
        {
            Upload::File(bytes) => bytes,
            // Notified of an object that is gone (a lifecycle expiry): nothing to read.
            Upload::Missing => return Ok(UploadOutcome::Unknown),
            Upload::TooLarge { size } => {
                let reason = format!(
                    "{} is {size} bytes; files over {} bytes cannot be imported.",
                    import.file_name, settings.max_upload_bytes
                );
                refuse(ports, &mut import, &reason, &self.context).await?;
                return Ok(UploadOutcome::Refused);
            }
        };
        let parsed = ports.imports.parser.parse(StatementFile {
            file_name: &import.file_name,
            format: import.format,
            bytes: &bytes,
            hints: &import.hints,
        });
        let statement = match parsed {
            Ok(s) => merge_accounts(s),
            Err(e) => {
                let reason = file_problem(&import.file_name, &e).to_string();
                refuse(ports, &mut import, &reason, &self.context).await?;
                return Ok(UploadOutcome::Refused);
            }
        };
        // The parsed rows are all the run needs: the file's bytes go before the writes.
        drop(bytes);
        run(ports, &mut import, &statement, &self.context).await?;
        Ok(UploadOutcome::Completed)
    }
}

/// Marks the import failed for good, with the attempt and the refusal on the record.
async fn refuse(
    ports: &Ports,
    import: &mut FileImport,
    reason: &str,
    context: &EventContext,
) -> Result<(), AppError> {
    let now = ports.clock.now();
    let events = EventBatch::new(context, now);
    let attempted = events.event(Some(import.user_id), attempted_event(import));
    import.fail(reason, now);
    let failed = events.event(Some(import.user_id), failed_event(import, reason));
    ports
        .imports
        .imports
        .save(import, &[attempted, failed])
        .await?;
    Ok(())
}
