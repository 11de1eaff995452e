mod import_file;
mod run_upload;
mod start_upload;

pub use import_file::{ImportFile, ImportReport};
pub use run_upload::{RunUpload, UploadOutcome};
pub use start_upload::{StartUpload, UploadStarted};
