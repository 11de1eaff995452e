//! What kind of OFX file this is, and what its header declares (providers.md §4.1):
//! 1.x SGML (`OFXHEADER:100` lines — after blank lines, all on one line, inside a
//! `<!-- -->` comment, with or without the blank line before `<OFX>`), 2.x XML (`<?xml`
//! or `<?OFX`), or a bare `<OFX>` with no header. Read from the raw bytes, before
//! decoding, since the header is ASCII and names the charset.

use dashtam_domain::imports::{StatementError, StatementErrorCode as Code};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1.x, or a bare `<OFX>`: the tolerant SGML tokenizer.
    Sgml,
    Xml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    /// `VERSION` (1.x) or the `<?OFX VERSION="…"?>` (2.x), when there is one.
    pub version: Option<String>,
    /// The declared charset label (`CHARSET`, else an `ENCODING` of UTF-8; the XML
    /// declaration's `encoding`).
    pub charset: Option<String>,
}

/// Where the first `<OFX` element is (ASCII, case-insensitive; not `<OFXHEADER…`).
pub fn find_ofx(bytes: &[u8]) -> Option<usize> {
    bytes.windows(5).position(|w| {
        w.get(..4).is_some_and(|t| t.eq_ignore_ascii_case(b"<OFX"))
            && matches!(w.get(4), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n'))
    })
}

pub fn read(bytes: &[u8]) -> Result<Header, StatementError> {
    let body = skip_bom_and_space(bytes);
    let ofx_at = find_ofx(bytes);
    let head = bytes.get(..ofx_at.unwrap_or(bytes.len())).unwrap_or(bytes);
    let starts = |prefix: &[u8]| {
        body.get(..prefix.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(prefix))
    };
    if starts(b"<?xml") || starts(b"<?OFX") {
        return Ok(Header {
            kind: Kind::Xml,
            version: attribute(head, b"<?OFX", b"VERSION"),
            charset: attribute(head, b"<?xml", b"encoding"),
        });
    }
    let has_v1_header = contains(head, b"OFXHEADER");
    if !has_v1_header && ofx_at.is_none() {
        return Err(StatementError::new(
            Code::NotAStatement,
            "this is not an OFX or QFX file: it has no OFX header and no <OFX> element",
        ));
    }
    if has_v1_header && ofx_at.is_none() {
        let line = head.iter().filter(|b| **b == b'\n').count() + 1;
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        return Err(StatementError::at(
            Code::Truncated,
            line,
            "the file ends after its OFX header, before <OFX>: it looks cut short",
        ));
    }
    let charset = field(head, b"CHARSET")
        .filter(|c| !c.eq_ignore_ascii_case("NONE"))
        .or_else(|| field(head, b"ENCODING").filter(|e| e.eq_ignore_ascii_case("UTF-8")));
    Ok(Header {
        kind: Kind::Sgml,
        version: field(head, b"VERSION"),
        charset,
    })
}

fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    position(haystack, needle).is_some()
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// `KEY:VALUE` of a 1.x header, space after the colon allowed; the value ends at
/// whitespace (so a header all on one line reads too).
fn field(head: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(at) = head.get(from..).and_then(|h| position(h, key)) {
        let after = head.get(from + at + key.len()..)?;
        let preceded_ok = (from + at == 0)
            || head
                .get(from + at - 1)
                .is_some_and(|b| !b.is_ascii_alphanumeric());
        let trimmed = after
            .iter()
            .position(|b| *b != b' ' && *b != b'\t')
            .and_then(|i| after.get(i..))?;
        if preceded_ok && let Some(rest) = trimmed.strip_prefix(b":") {
            let rest = rest
                .iter()
                .position(|b| *b != b' ' && *b != b'\t')
                .and_then(|i| rest.get(i..))
                .unwrap_or_default();
            let end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'<')
                .unwrap_or(rest.len());
            return Some(String::from_utf8_lossy(rest.get(..end)?).into_owned());
        }
        from += at + key.len();
    }
    None
}

/// `name="value"` inside the processing instruction that starts with `pi`.
fn attribute(head: &[u8], pi: &[u8], name: &[u8]) -> Option<String> {
    let start = position(head, pi)?;
    let rest = head.get(start..)?;
    let end = position(rest, b"?>").unwrap_or(rest.len());
    let inside = rest.get(..end)?;
    let at = position(inside, name)?;
    let after = inside.get(at + name.len()..)?;
    let after = after.strip_prefix(b"=")?;
    let quote = *after.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = after.get(1..)?;
    let close = value.iter().position(|b| *b == quote)?;
    Some(String::from_utf8_lossy(value.get(..close)?).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> Header {
        read(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn v1_headers_however_written() {
        let chase = "\nOFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\n\
                     ENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\n\
                     NEWFILEUID:NONE\n<OFX>";
        let h = header(chase);
        assert_eq!(h.kind, Kind::Sgml);
        assert_eq!(h.charset.as_deref(), Some("1252"));
        assert_eq!(h.version.as_deref(), Some("102"));
        let one_line = "OFXHEADER:100 DATA:OFXSGML VERSION:151 CHARSET: 8859-1 <OFX>";
        assert_eq!(header(one_line).charset.as_deref(), Some("8859-1"));
        let comment = "<!-- OFXHEADER:100\r\nCHARSET:NONE\r\nENCODING:UTF-8 -->\r\n<OFX>";
        assert_eq!(header(comment).charset.as_deref(), Some("UTF-8"));
        assert_eq!(header("  <OFX>\n").kind, Kind::Sgml);
    }

    #[test]
    fn v2_headers() {
        let xml = "<?xml version=\"1.0\" encoding=\"us-ascii\"?>\n<?OFX OFXHEADER=\"200\" \
                   VERSION=\"220\" SECURITY=\"NONE\"?>\n<OFX>";
        let h = header(xml);
        assert_eq!(h.kind, Kind::Xml);
        assert_eq!(h.version.as_deref(), Some("220"));
        assert_eq!(h.charset.as_deref(), Some("us-ascii"));
    }

    #[test]
    fn not_ofx_or_cut_after_the_header() {
        let err = read(b"%PDF-1.4 \x00\x01").unwrap_err();
        assert_eq!(err.code, Code::NotAStatement);
        let err = read(b"OFXHEADER:100\nDATA:OFXSGML\n").unwrap_err();
        assert_eq!(err.code, Code::Truncated);
        assert_eq!(find_ofx(b"OFXHEADER <OFXX> <ofx>"), Some(17));
    }
}
