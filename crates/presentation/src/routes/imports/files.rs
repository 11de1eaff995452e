use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::{HeaderMap, header},
};
use dashtam_application::imports::{GetImport, ImportFile};
use dashtam_core::ErrorCode;
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};
use uuid::Uuid;

use super::form::{self, MAX_REQUEST_BYTES};
use crate::routes::{Created, created, route};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiPath, Authenticated, ClientContext},
    schemas::imports::{ImportFormatsResponse, ImportResponse, ImportStatusResponse},
};

pub fn routes() -> Vec<Route> {
    vec![
        route!(
            import_file,
            Access::Permission(Permission::WriteAccounts),
            Policy::ApiWrite
        )
        .with_body_limit(MAX_REQUEST_BYTES),
        route!(import_formats, Access::Public, Policy::ApiRead),
        route!(
            get_import,
            Access::Permission(Permission::ReadAccounts),
            Policy::ApiRead
        ),
    ]
}

/// Import a bank or card statement (QFX/OFX 1.x or 2.x, or CSV) of at most 5 MB. The
/// file is read whole before anything is written: a file with any error changes nothing
/// and the problem names the line. Importing the same file again, or one that overlaps,
/// creates nothing twice (`transactions_skipped`). The first import creates the user's
/// `chase_file` connection. An OFX `ACCTTYPE` of `CD` becomes a `cd` account.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content = crate::schemas::imports::ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = ImportResponse),
        (status = 400, description = "The file could not be read: `errors[{field: \"file\", line, code, message}]`; or a missing account number (`field: \"account_number\"`), an unknown account type or an unsupported currency", body = crate::Problem),
        (status = 409, description = "Another import of this user is running", body = crate::Problem),
        (status = 413, description = "Over 5 MB: use POST /api/v1/import-uploads", body = crate::Problem),
        (status = 415, description = "Not a .qfx, .ofx or .csv file, or not a multipart form", body = crate::Problem),
    ))]
pub async fn import_file(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ClientContext(context): ClientContext,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Created<ImportResponse>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES) {
        return Err(form::too_large());
    }
    let form = form.map_err(|e| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("Send the file as multipart/form-data with a `file` part ({e})."),
        )
    })?;
    let form = form::read(form).await?;
    let report = ImportFile {
        principal,
        file_name: form.file_name,
        bytes: form.bytes,
        hints: form.hints,
        context,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(report.into()))
}

/// The file formats and CSV layouts an import reads.
#[utoipa::path(get, path = "/api/v1/imports/formats", tag = "imports",
    responses((status = 200, body = ImportFormatsResponse)))]
pub async fn import_formats() -> axum::Json<ImportFormatsResponse> {
    axum::Json(ImportFormatsResponse::catalogue())
}

/// Where an import stands: status, progress and counts.
#[utoipa::path(get, path = "/api/v1/imports/{import_id}", tag = "imports",
    params(("import_id" = Uuid, Path)),
    responses(
        (status = 200, body = ImportStatusResponse),
        (status = 403, body = crate::Problem), (status = 404, body = crate::Problem),
    ))]
pub async fn get_import(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiPath(import_id): ApiPath<Uuid>,
) -> Result<axum::Json<ImportStatusResponse>, ApiError> {
    let view = GetImport {
        principal,
        import_id,
    }
    .execute(&state.ports)
    .await?;
    Ok(axum::Json(view.into()))
}
