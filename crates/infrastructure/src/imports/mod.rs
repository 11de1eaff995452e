//! Statement files into [`Statement`]s: OFX/QFX (1.x SGML and 2.x XML) and the CSV
//! exports of Chase and others. [`FileStatementParser`] is the domain's
//! [`StatementParser`]; it reads the whole file and refuses it whole, with the line to
//! blame, rather than skip a row.

mod csv;
mod decode;
mod number;
mod ofx;

use dashtam_domain::imports::{
    FileFormat, Statement, StatementError, StatementErrorCode as Code, StatementFile,
    StatementParser,
};

/// The parser for every format of [`FileFormat`]. Stateless: `FileStatementParser` (or
/// `FileStatementParser::default()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileStatementParser;

impl StatementParser for FileStatementParser {
    fn parse(&self, file: StatementFile<'_>) -> Result<Statement, StatementError> {
        let bytes = file.bytes;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(StatementError::new(
                Code::Empty,
                "the file is empty".to_owned(),
            ));
        }
        if looks_binary(bytes) {
            return Err(StatementError::new(
                Code::NotAStatement,
                format!(
                    "'{}' is not a {} file: it holds binary data",
                    file.file_name,
                    file.format.as_str().to_ascii_uppercase()
                ),
            ));
        }
        let accounts = match file.format {
            FileFormat::Qfx | FileFormat::Ofx => ofx::parse(bytes)?,
            FileFormat::Csv => vec![csv::parse(file)?],
        };
        Ok(Statement { accounts })
    }
}

/// NUL bytes (outside a UTF-16 file, which has a byte-order mark) or other control
/// bytes a text file never has: a PDF, an image, a zip named `.ofx`.
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return false;
    }
    bytes
        .iter()
        .any(|b| matches!(b, 0x00..=0x08 | 0x0e..=0x19 | 0x1c..=0x1f))
}

#[cfg(test)]
mod tests;
