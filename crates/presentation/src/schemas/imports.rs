//! Bodies of the import routes.

use chrono::{DateTime, Utc};
use dashtam_application::imports::{ImportReport, ImportView, UploadStarted};
use dashtam_domain::imports::{CSV_LAYOUTS, CsvLayout, FORMATS, FileFormat, ImportStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::names::{
    AccountTypeName, CsvLayoutName, CurrencyName, FileFormatName, ImportStatusName,
};

/// `POST /imports` (multipart/form-data). Parts may come in any order.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation only: the handler reads the parts itself
pub struct ImportForm {
    /// The statement: `.qfx`, `.ofx` or `.csv` (by its file name, case-insensitive), at
    /// most 5 MB; larger files go through `POST /api/v1/import-uploads`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// For files that name no account (CSV): the account's number. A Chase CSV's file
    /// name (`Chase1234_Activity_….CSV`) gives its last four digits otherwise.
    #[schema(required = false)]
    account_number: Option<String>,
    #[schema(required = false)]
    account_name: Option<String>,
    /// Default `checking` for a bank CSV; a card export is `credit_card`.
    #[schema(value_type = Option<AccountTypeName>, required = false)]
    account_type: Option<String>,
    /// Default `USD` where the file says nothing.
    #[schema(value_type = Option<CurrencyName>, required = false)]
    currency: Option<String>,
    /// A generic CSV that shows charges as positive amounts (Amex, Discover): `true`.
    #[schema(required = false)]
    charges_positive: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub import_id: Uuid,
    pub connection_id: Uuid,
    pub accounts_created: u64,
    pub accounts_updated: u64,
    pub transactions_created: u64,
    /// Rows already imported (an earlier file, or an overlap), not written again.
    pub transactions_skipped: u64,
    pub message: String,
}

impl From<ImportReport> for ImportResponse {
    fn from(r: ImportReport) -> Self {
        Self {
            import_id: r.import_id,
            connection_id: r.connection_id,
            accounts_created: r.accounts_created,
            accounts_updated: r.accounts_updated,
            transactions_created: r.transactions_created,
            transactions_skipped: r.transactions_skipped,
            message: r.message,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportFormatsResponse {
    pub formats: Vec<FormatView>,
    /// The CSV layouts recognised by their header row.
    pub csv_layouts: Vec<CsvLayoutView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormatView {
    #[schema(value_type = FileFormatName)]
    pub format: FileFormat,
    pub name: &'static str,
    pub extensions: Vec<&'static str>,
    pub provider_slugs: Vec<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CsvLayoutView {
    #[schema(value_type = CsvLayoutName)]
    pub layout: CsvLayout,
    /// The header rows recognised (case-insensitive).
    pub headers: Vec<&'static str>,
    pub description: &'static str,
}

impl ImportFormatsResponse {
    pub fn catalogue() -> Self {
        Self {
            formats: FORMATS
                .iter()
                .map(|f| FormatView {
                    format: f.format,
                    name: f.name,
                    extensions: f.extensions.to_vec(),
                    provider_slugs: f.provider_slugs.to_vec(),
                })
                .collect(),
            csv_layouts: CSV_LAYOUTS
                .iter()
                .map(|l| CsvLayoutView {
                    layout: l.layout,
                    headers: l.headers.to_vec(),
                    description: l.description,
                })
                .collect(),
        }
    }
}

/// `POST /import-uploads`: the file's name and the fields a multipart import would carry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartUploadRequest {
    /// Decides the format, as for `POST /imports`.
    #[schema(example = "statement.qfx")]
    pub file_name: String,
    pub account_number: Option<String>,
    pub account_name: Option<String>,
    #[schema(value_type = Option<AccountTypeName>)]
    pub account_type: Option<String>,
    #[schema(value_type = Option<CurrencyName>)]
    pub currency: Option<String>,
    pub charges_positive: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadStartedResponse {
    pub import_id: Uuid,
    /// PUT the file's bytes here (no other headers needed); its arrival starts the
    /// import. Follow it with `GET /api/v1/imports/{import_id}` or the live stream.
    pub upload_url: String,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

impl From<UploadStarted> for UploadStartedResponse {
    fn from(u: UploadStarted) -> Self {
        Self {
            import_id: u.import_id,
            upload_url: u.upload_url,
            expires_in: u.expires_in,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportStatusResponse {
    pub import_id: Uuid,
    #[schema(value_type = ImportStatusName)]
    pub status: ImportStatus,
    pub file_name: String,
    #[schema(value_type = FileFormatName)]
    pub file_format: FileFormat,
    /// The user's `chase_file` connection, once the import has run.
    pub connection_id: Option<Uuid>,
    pub progress_percent: u8,
    /// Rows in the file (known once it is read) and rows processed so far.
    pub records_total: u64,
    pub records_processed: u64,
    pub accounts_created: u64,
    pub accounts_updated: u64,
    pub transactions_created: u64,
    pub transactions_skipped: u64,
    /// Why it failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ImportView> for ImportStatusResponse {
    fn from(v: ImportView) -> Self {
        Self {
            import_id: v.import_id,
            status: v.status,
            file_name: v.file_name,
            file_format: v.file_format,
            connection_id: v.connection_id,
            progress_percent: v.progress_percent,
            records_total: v.records_total,
            records_processed: v.records_processed,
            accounts_created: v.accounts_created,
            accounts_updated: v.accounts_updated,
            transactions_created: v.transactions_created,
            transactions_skipped: v.transactions_skipped,
            error: v.error,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}
