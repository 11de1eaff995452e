use dashtam_domain::{
    imports::{FileImport, ImportHints, ImportSource, StatementFile},
    platform::events::EventContext,
};
use uuid::Uuid;

use crate::{
    AppError, EventBatch, Ports,
    dto::Principal,
    imports::{
        file_problem::{file_problem, format_of},
        run::{attempted_event, failed_event, merge_accounts, run},
    },
};

/// Imports a statement file sent with the request: read whole first (a file with any
/// error changes nothing), then written exactly once.
pub struct ImportFile {
    pub principal: Principal,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub hints: ImportHints,
    pub context: EventContext,
}

/// What `POST /imports` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub import_id: Uuid,
    pub connection_id: Uuid,
    pub accounts_created: u64,
    pub accounts_updated: u64,
    pub transactions_created: u64,
    pub transactions_skipped: u64,
    pub message: String,
}

impl ImportFile {
    pub async fn execute(self, ports: &Ports) -> Result<ImportReport, AppError> {
        let Self {
            principal,
            file_name,
            bytes,
            hints,
            context,
        } = self;
        let now = ports.clock.now();
        let user_id = principal.user_id;
        let format = format_of(&file_name)?;
        let mut import = FileImport::new(
            user_id,
            &file_name,
            format,
            ImportSource::Request,
            hints,
            now,
        );
        let parsed = ports.imports.parser.parse(StatementFile {
            file_name: &file_name,
            format,
            bytes: &bytes,
            hints: &import.hints,
        });
        // The parsed rows are all the run needs: the request's bytes go before the writes
        // (as the upload worker's do), so the file is not held beside its rows.
        drop(bytes);
        let statement = match parsed {
            Ok(s) => merge_accounts(s),
            Err(e) => {
                // Nothing is stored but the audit trail's attempt and refusal.
                let mut events = EventBatch::new(&context, now);
                events.push(Some(user_id), attempted_event(&import));
                events.push(Some(user_id), failed_event(&import, &e.to_string()));
                events.append_to_outbox(ports).await;
                return Err(file_problem(&file_name, &e));
            }
        };
        let counts = run(ports, &mut import, &statement, &context).await?;
        Ok(ImportReport {
            import_id: import.id,
            connection_id: import.connection_id.unwrap_or_default(),
            accounts_created: counts.accounts_created,
            accounts_updated: counts.accounts_updated,
            transactions_created: counts.transactions_created,
            transactions_skipped: counts.transactions_skipped,
            message: format!(
                "Imported {}: {} account(s) created, {} updated; {} transaction(s) created, {} skipped as already imported.",
                file_name,
                counts.accounts_created,
                counts.accounts_updated,
                counts.transactions_created,
                counts.transactions_skipped
            ),
        })
    }
}
