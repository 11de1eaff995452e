use dashtam_domain::imports::FileImport;
use uuid::Uuid;

use crate::{AppError, Ports};

/// The caller's import: 404 when no one has it, 403 when someone else does.
pub(crate) async fn owned_import(
    ports: &Ports,
    user_id: Uuid,
    import_id: Uuid,
) -> Result<FileImport, AppError> {
    let imports = &ports.imports.imports;
    if let Some(i) = imports.find(user_id, import_id).await? {
        return Ok(i);
    }
    match imports.owner_of(import_id).await? {
        Some(_) => Err(AppError::Forbidden(
            "This import belongs to another user".into(),
        )),
        None => Err(AppError::NotFound("Import not found".into())),
    }
}
