//! The multipart form of `POST /imports`, read part by part (any order) with the file
//! held once, and the optional fields shared with `POST /import-uploads`.

use axum::extract::{Multipart, multipart::MultipartError};
use dashtam_application::AppError;
use dashtam_core::ErrorCode;
use dashtam_domain::{
    FieldError,
    imports::ImportHints,
    portfolio::{AccountType, Currency},
};

use crate::ApiError;

/// The largest file `POST /imports` takes (API Gateway and Lambda cap a synchronous
/// request at about 6 MB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The request may carry the form's other parts and boundaries besides the file.
pub const MAX_REQUEST_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

pub struct ImportForm {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub hints: ImportHints,
}

/// The optional fields, as sent.
#[derive(Default)]
pub struct RawHints {
    pub account_number: Option<String>,
    pub account_name: Option<String>,
    pub account_type: Option<String>,
    pub currency: Option<String>,
    pub charges_positive: Option<bool>,
}

pub fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!(
            "Files over {} MB cannot be sent in the request: start an upload with POST /api/v1/import-uploads and PUT the file to its upload_url.",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

fn unreadable(e: &MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    ApiError::new(
        ErrorCode::CommandValidationFailed,
        format!("The form could not be read: {}", e.body_text()),
    )
    .with_errors(vec![FieldError::new(
        "file",
        "unreadable_form",
        e.body_text(),
    )])
}

pub async fn read(mut form: Multipart) -> Result<ImportForm, ApiError> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut raw = RawHints::default();
    while let Some(mut field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().trim().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((file_name, bytes));
            continue;
        }
        let value = field.text().await.map_err(|e| unreadable(&e))?;
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        match name.as_str() {
            "account_number" => raw.account_number = value,
            "account_name" => raw.account_name = value,
            "account_type" => raw.account_type = value,
            "currency" => raw.currency = value,
            "charges_positive" => {
                raw.charges_positive = match value.as_deref().map(str::to_ascii_lowercase) {
                    None => None,
                    Some(v) if matches!(v.as_str(), "true" | "1" | "on" | "yes") => Some(true),
                    Some(v) if matches!(v.as_str(), "false" | "0" | "off" | "no") => Some(false),
                    Some(v) => {
                        return Err(field_problem(
                            "charges_positive",
                            "invalid_boolean",
                            format!("expected true or false, got {v:?}"),
                        ));
                    }
                }
            }
            // Other parts are ignored, as HTML forms send what they hold.
            _ => {}
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(field_problem(
            "file",
            "missing_file",
            "the form has no `file` part".into(),
        ));
    };
    if file_name.is_empty() {
        return Err(field_problem(
            "file",
            "missing_file_name",
            "the `file` part has no file name (its extension decides the format)".into(),
        ));
    }
    Ok(ImportForm {
        file_name,
        bytes,
        hints: hints(raw)?,
    })
}

fn field_problem(field: &str, code: &str, message: String) -> ApiError {
    AppError::validation(message.clone(), vec![FieldError::new(field, code, message)]).into()
}

/// The fields checked: a known account type, a supported currency, sane lengths.
pub fn hints(raw: RawHints) -> Result<ImportHints, ApiError> {
    let mut errors = Vec::new();
    let account_type = raw.account_type.as_deref().and_then(|t| {
        let parsed = AccountType::parse(&t.to_ascii_lowercase());
        if parsed.is_none() {
            errors.push(FieldError::new(
                "account_type",
                "unknown_account_type",
                format!("{t:?} is not an account type"),
            ));
        }
        parsed
    });
    let currency = raw.currency.as_deref().and_then(|c| {
        let parsed = Currency::parse_code(c);
        if parsed.is_none() {
            errors.push(FieldError::new(
                "currency",
                "unsupported_currency",
                format!("{c:?} is not a supported currency"),
            ));
        }
        parsed
    });
    for (field, value, max) in [
        ("account_number", &raw.account_number, 64),
        ("account_name", &raw.account_name, 100),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            errors.push(FieldError::new(
                field,
                "string_length",
                format!("at most {max} characters"),
            ));
        }
    }
    if !errors.is_empty() {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AppError::validation(detail, errors).into());
    }
    Ok(ImportHints {
        account_number: raw.account_number,
        account_name: raw.account_name,
        account_type,
        currency,
        charges_positive: raw.charges_positive.unwrap_or(false),
    })
}
