//! Bank file imports: a statement file (QFX/OFX/CSV) in the request or uploaded first,
//! parsed whole, then written as the same accounts, transactions and balance snapshots a
//! sync writes — exactly once, however often the file comes.

pub mod commands;
mod file_problem;
mod owned;
pub mod queries;
mod run;

pub use commands::{
    ImportFile, ImportReport, RunUpload, StartUpload, UploadOutcome, UploadStarted,
};
pub use queries::{GetImport, ImportView};

/// The S3 key of an upload: the owner and the import, so the worker finds the record.
pub fn upload_key(user_id: uuid::Uuid, import_id: uuid::Uuid) -> String {
    format!("imports/{user_id}/{import_id}")
}

/// The owner and import of an upload's key, if it is one.
pub fn parse_upload_key(key: &str) -> Option<(uuid::Uuid, uuid::Uuid)> {
    let rest = key.strip_prefix("imports/")?;
    let (user, import) = rest.split_once('/')?;
    Some((user.parse().ok()?, import.parse().ok()?))
}
