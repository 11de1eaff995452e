//! What the user is told about a file that could not be read.

use dashtam_domain::{
    FieldError,
    imports::{FileFormat, StatementError, StatementErrorCode},
};

use crate::AppError;

/// 400 naming what is wrong and where: `errors[{field, line, code, message}]`, the line
/// in `detail` too. A missing account number is the form's `account_number` field.
pub(crate) fn file_problem(file_name: &str, e: &StatementError) -> AppError {
    let field = match e.code {
        StatementErrorCode::MissingAccount => "account_number",
        _ => "file",
    };
    // The line goes in `detail` once, whether or not the parser's message names it.
    let at = match e.line {
        Some(l) if !e.message.contains(&format!("line {l}")) => format!(" (line {l})"),
        _ => String::new(),
    };
    AppError::validation(
        format!("{file_name} could not be imported{at}: {}", e.message),
        vec![FieldError::new(field, e.code.as_str(), e.message.clone()).at_line(e.line)],
    )
}

/// 415 for a file whose extension is not one we read.
pub(crate) fn format_of(file_name: &str) -> Result<FileFormat, AppError> {
    FileFormat::from_file_name(file_name).ok_or_else(|| {
        AppError::UnsupportedMediaType(format!(
            "{file_name:?} is not an importable file: use a .qfx, .ofx or .csv file."
        ))
    })
}
