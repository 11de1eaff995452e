use dashtam_domain::imports::{FileImport, ImportHints, ImportSource};
use uuid::Uuid;

use crate::{
    AppError, Ports,
    dto::Principal,
    imports::{file_problem::format_of, upload_key},
};

/// Starts an import of a file too large for a request: a pending record and a URL the
/// client PUTs the file to; the file's arrival starts the import worker.
pub struct StartUpload {
    pub principal: Principal,
    pub file_name: String,
    pub hints: ImportHints,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadStarted {
    pub import_id: Uuid,
    pub upload_url: String,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

impl StartUpload {
    pub async fn execute(self, ports: &Ports) -> Result<UploadStarted, AppError> {
        let format = format_of(&self.file_name)?;
        let import = FileImport::new(
            self.principal.user_id,
            &self.file_name,
            format,
            ImportSource::Upload,
            self.hints,
            ports.clock.now(),
        );
        let settings = &ports.imports.settings;
        let upload_url = ports
            .imports
            .uploads
            .presign_put(
                &upload_key(import.user_id, import.id),
                settings.upload_url_ttl,
            )
            .await?;
        ports.imports.imports.create(&import, &[]).await?;
        Ok(UploadStarted {
            import_id: import.id,
            upload_url,
            expires_in: settings.upload_url_ttl.as_secs(),
        })
    }
}
