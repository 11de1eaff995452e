//! The parser over the fixtures in `tests/fixtures/imports/` (written for this project,
//! each after a real-world quirk of providers.md §4.5), plus property tests.

#![allow(clippy::unwrap_used)] // a test that fails on a surprise should panic

mod csv;
mod ofx;
mod props;

use dashtam_domain::imports::{
    FileFormat, ImportHints, Statement, StatementError, StatementFile, StatementParser,
};

use super::FileStatementParser;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/imports/",
            $name
        ))
        .as_slice()
    };
}
pub(crate) use fixture;

pub fn parse_as(
    file_name: &str,
    bytes: &[u8],
    hints: &ImportHints,
) -> Result<Statement, StatementError> {
    let format = FileFormat::from_file_name(file_name).unwrap();
    FileStatementParser.parse(StatementFile {
        file_name,
        format,
        bytes,
        hints,
    })
}

pub fn parse(file_name: &str, bytes: &[u8]) -> Result<Statement, StatementError> {
    parse_as(file_name, bytes, &ImportHints::default())
}

pub fn ok(file_name: &str, bytes: &[u8]) -> Statement {
    parse(file_name, bytes).unwrap_or_else(|e| panic!("{file_name}: {e:?}"))
}

pub fn err(file_name: &str, bytes: &[u8]) -> StatementError {
    match parse(file_name, bytes) {
        Ok(s) => panic!("{file_name} parsed: {s:?}"),
        Err(e) => e,
    }
}
