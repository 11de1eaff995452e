//! A tolerant tokenizer for OFX 1.x SGML (and for anything tag-shaped: it also reads
//! XML-closed leaves under an SGML header, Q11). One pass over the text, no copies
//! except of values with entities: `<TAG>value` is a leaf, closed or not; `<TAG>`
//! followed by another tag is an aggregate, unless the next tag is its own closer (an
//! empty element) or the name is a known leaf (an empty unclosed one). Comments,
//! processing instructions and declarations are skipped. Whitespace of any kind (CRLF,
//! `\r\r\n`, tabs, none at all) only separates.

use super::statement::{Sink, is_known_leaf};
use crate::imports::decode::unescape;
use dashtam_domain::imports::{StatementError, StatementErrorCode as Code};

pub fn tokenize(text: &str, start: usize, sink: &mut impl Sink) -> Result<(), StatementError> {
    let mut pos = start;
    while let Some(lt) = find(text, pos, '<') {
        let rest = text.get(lt..).unwrap_or_default();
        if rest.starts_with("<!--") {
            pos = match find_str(text, lt + 4, "-->") {
                Some(end) => end + 3,
                None => return Ok(()), // the reader sees what was left open
            };
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            pos = find(text, lt + 2, '>').map_or(text.len(), |end| end + 1);
            continue;
        }
        let Some(gt) = find(text, lt + 1, '>') else {
            return truncated_tag(text, lt);
        };
        // `<A<B>`: a broken tag; start again at the second `<`.
        if let Some(inner) = find(text, lt + 1, '<').filter(|i| *i < gt) {
            pos = inner;
            continue;
        }
        let tag = text.get(lt + 1..gt).unwrap_or_default().trim();
        pos = gt + 1;
        if let Some(name) = tag.strip_prefix('/') {
            sink.close(name.trim(), pos)?;
            continue;
        }
        if let Some(name) = tag.strip_suffix('/') {
            sink.leaf(tag_name(name), "", pos)?; // `<MEMO/>`
            continue;
        }
        let name = tag_name(tag);
        if name.is_empty() {
            continue;
        }
        let value_end = find(text, pos, '<').unwrap_or(text.len());
        let raw = text.get(pos..value_end).unwrap_or_default();
        let value = raw.trim();
        if !value.is_empty() && !is_aggregate_name(name) {
            sink.leaf(name, &unescape(value), pos)?;
            pos = skip_closer(text, value_end, name);
            continue;
        }
        let after_closer = skip_closer(text, value_end, name);
        if after_closer != value_end {
            sink.leaf(name, "", pos)?; // `<MEMO></MEMO>`
            pos = after_closer;
        } else if is_known_leaf_name(name) {
            sink.leaf(name, "", pos)?; // `<MEMO>` then the next tag
            pos = value_end;
        } else {
            sink.open(name, pos)?;
            pos = value_end;
        }
    }
    Ok(())
}

/// The name of `<NAME attr=…>` (OFX has no attributes, but XML-ish files may).
fn tag_name(tag: &str) -> &str {
    let tag = tag.trim();
    tag.split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or_default()
}

/// After a leaf's value at `at`: past its own `</NAME>` if that comes next.
fn skip_closer(text: &str, at: usize, name: &str) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    let Some(after) = rest.strip_prefix("</") else {
        return at;
    };
    let Some(gt) = after.find('>') else {
        return at;
    };
    let closer = after.get(..gt).unwrap_or_default().trim();
    if closer.eq_ignore_ascii_case(name) {
        at + 2 + gt + 1
    } else {
        at
    }
}

/// The aggregates of a bank or card statement: never leaves, even with text after them.
const AGGREGATES: [&str; 17] = [
    "OFX",
    "SIGNONMSGSRSV1",
    "SONRS",
    "STATUS",
    "FI",
    "BANKMSGSRSV1",
    "STMTTRNRS",
    "STMTRS",
    "BANKACCTFROM",
    "BANKTRANLIST",
    "STMTTRN",
    "LEDGERBAL",
    "AVAILBAL",
    "CREDITCARDMSGSRSV1",
    "CCSTMTTRNRS",
    "CCSTMTRS",
    "CCACCTFROM",
];

fn is_aggregate_name(name: &str) -> bool {
    AGGREGATES.iter().any(|a| a.eq_ignore_ascii_case(name))
}

fn is_known_leaf_name(name: &str) -> bool {
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        is_known_leaf(&name.to_ascii_uppercase())
    } else {
        is_known_leaf(name)
    }
}

fn find(text: &str, from: usize, ch: char) -> Option<usize> {
    text.get(from..)?.find(ch).map(|i| i + from)
}

fn find_str(text: &str, from: usize, needle: &str) -> Option<usize> {
    text.get(from..)?.find(needle).map(|i| i + from)
}

fn truncated_tag(text: &str, at: usize) -> Result<(), StatementError> {
    let line = text
        .get(..at)
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1);
    let line = u32::try_from(line).unwrap_or(u32::MAX);
    Err(StatementError::at(
        Code::Truncated,
        line,
        format!("the file ends at line {line} in the middle of a tag: it looks cut short"),
    ))
}
