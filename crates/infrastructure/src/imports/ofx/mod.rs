//! OFX and QFX files: the header says which tokenizer reads the body (SGML for 1.x and a
//! bare `<OFX>`, quick-xml for 2.x); both feed one streaming [`statement::Reader`]
//! that builds every bank and credit-card statement in the file.

mod date;
mod header;
mod sgml;
mod statement;
mod xml;

use dashtam_domain::imports::{StatementAccount, StatementError};
use serde_json::{Map, Value};

use super::decode::decode;
use header::Kind;

pub fn parse(bytes: &[u8]) -> Result<Vec<StatementAccount>, StatementError> {
    let header = header::read(bytes)?;
    let (text, encoding) = decode(bytes, header.charset.as_deref());
    let mut metadata = Map::new();
    metadata.insert("source".into(), Value::String("ofx".into()));
    metadata.insert("encoding".into(), Value::String(encoding.into()));
    if let Some(version) = header.version {
        metadata.insert("ofx_version".into(), Value::String(version));
    }
    let mut reader = statement::Reader::new(&text, metadata);
    match header.kind {
        Kind::Xml => xml::read(&text, &mut reader)?,
        Kind::Sgml => {
            let start = header::find_ofx(text.as_bytes()).unwrap_or(0);
            sgml::tokenize(&text, start, &mut reader)?;
        }
    }
    reader.finish()
}
