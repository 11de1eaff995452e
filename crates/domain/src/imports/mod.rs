//! Bank file imports: the formats Dashtam reads, what a statement file holds once parsed,
//! the import record (its progress and counts), how imported rows get their stable ids,
//! how a file's own classifications map into Dashtam's ([`mapping`]), and the ports.

mod format;
mod identity;
mod import;
pub mod mapping;
mod ports;
mod row_metadata;
mod statement;

pub use format::{CSV_LAYOUTS, CsvLayout, CsvLayoutInfo, FORMATS, FileFormat, FormatInfo};
pub use identity::{Assigned, ImportIds, fingerprint_of};
pub use import::{FileImport, ImportCounts, ImportSource, ImportStatus};
pub use ports::{ImportRepository, StatementParser, Upload, UploadStore};
pub use row_metadata::RowMetadata;
pub use statement::{
    Balance, ImportHints, Statement, StatementAccount, StatementError, StatementErrorCode,
    StatementFile, StatementLine,
};
