use axum::extract::State;
use dashtam_application::imports::StartUpload;
use dashtam_domain::{identity::entities::Permission, platform::rate_limit::Policy};

use super::form::{self, RawHints};
use crate::routes::{Created, created, route};
use crate::{
    Access, ApiError, AppState, Route,
    extract::{ApiJson, Authenticated},
    schemas::imports::{StartUploadRequest, UploadStartedResponse},
};

pub fn routes() -> Vec<Route> {
    vec![route!(
        start_upload,
        Access::Permission(Permission::WriteAccounts),
        Policy::ApiWrite
    )]
}

/// Start the import of a file of any size: PUT the file to the `upload_url` answered
/// (a presigned S3 URL, valid `expires_in` seconds); its arrival starts the import.
/// Follow it with `GET /api/v1/imports/{import_id}` or the live stream's `import.*`.
#[utoipa::path(post, path = "/api/v1/import-uploads", tag = "imports", request_body = StartUploadRequest,
    responses(
        (status = 201, body = UploadStartedResponse),
        (status = 400, description = "An unknown account type or an unsupported currency", body = crate::Problem),
        (status = 415, description = "The file name is not a .qfx, .ofx or .csv file", body = crate::Problem),
    ))]
pub async fn start_upload(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    ApiJson(body): ApiJson<StartUploadRequest>,
) -> Result<Created<UploadStartedResponse>, ApiError> {
    let hints = form::hints(RawHints {
        account_number: body.account_number,
        account_name: body.account_name,
        account_type: body.account_type,
        currency: body.currency,
        charges_positive: body.charges_positive,
    })?;
    let started = StartUpload {
        principal,
        file_name: body.file_name.trim().to_owned(),
        hints,
    }
    .execute(&state.ports)
    .await?;
    Ok(created(started.into()))
}
