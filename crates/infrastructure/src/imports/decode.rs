//! Bytes → text, once. Order (providers.md Q5): a byte-order mark; else strict UTF-8
//! (many files that declare `CHARSET:1252` are UTF-8); else the declared charset; else
//! Windows-1252, which decodes any byte, so a file is never refused for its encoding.
//! A UTF-8 file is borrowed, not copied.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The file's text, and the encoding it was read as (for the account's metadata).
pub fn decode<'a>(bytes: &'a [u8], declared: Option<&str>) -> (Cow<'a, str>, &'static str) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        if encoding == UTF_8 {
            if let Ok(text) = std::str::from_utf8(body) {
                return (Cow::Borrowed(text), "UTF-8");
            }
            // A UTF-8 mark over other bytes: fall through to the declared charset.
            return decode_legacy(body, declared);
        }
        let (text, _) = encoding.decode_without_bom_handling(body);
        return (text, encoding.name());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), "UTF-8");
    }
    decode_legacy(bytes, declared)
}

fn decode_legacy<'a>(bytes: &'a [u8], declared: Option<&str>) -> (Cow<'a, str>, &'static str) {
    let encoding = declared
        .and_then(encoding_for)
        // A declared UTF-8 that is not valid UTF-8 is some legacy charset after all.
        .filter(|e| *e != UTF_8 && e.is_single_byte())
        .unwrap_or(WINDOWS_1252);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text, encoding.name())
}

/// OFX's own charset names as encoding labels: `1252` → windows-1252, `8859-1` →
/// iso-8859-1 (which the WHATWG table reads as windows-1252), `NONE` → nothing.
fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    if label.is_empty() || label.eq_ignore_ascii_case("NONE") {
        return None;
    }
    if label.len() == 4 && label.bytes().all(|b| b.is_ascii_digit()) {
        return Encoding::for_label(format!("windows-{label}").as_bytes());
    }
    if let Some(part) = label.strip_prefix("8859-") {
        return Encoding::for_label(format!("iso-8859-{part}").as_bytes());
    }
    Encoding::for_label(label.as_bytes())
}

/// 1-based line numbers of byte offsets, asked for in increasing order (a scan that only
/// moves forward; an earlier offset starts again from the top).
pub struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    pub fn line_at(&mut self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let newlines = self
            .text
            .get(self.offset..offset)
            .map_or(0, |s| s.iter().filter(|&&b| b == b'\n').count());
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.offset = offset;
        self.line
    }

    /// The last line of the text (where a truncated file ends).
    pub fn last_line(&mut self) -> u32 {
        let end = self.text.len();
        // A final newline does not start a line of its own.
        let end = if self.text.last() == Some(&b'\n') {
            end.saturating_sub(1)
        } else {
            end
        };
        self.line_at(end)
    }
}

/// `&amp; &lt; &gt; &quot; &apos; &nbsp;` and numeric references decoded; any other `&`
/// (a bare `A&W`, `AT&T`, an unknown `&copy;`) kept literally.
pub fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        match entity(after) {
            Some((ch, used)) => {
                out.push(ch);
                rest = after.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character of the entity `after` starts with (the text after `&`), and how many
/// bytes it used, `;` included.
fn entity(after: &str) -> Option<(char, usize)> {
    let end = after.get(..after.len().min(12))?.find(';')?;
    let name = after.get(..end)?;
    resolve_entity(name).map(|ch| (ch, end + 1))
}

/// A named or numeric entity's character (`amp`, `#38`, `#x26`).
pub fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_first_then_the_declared_charset_then_cp1252() {
        assert_eq!(decode("Café".as_bytes(), Some("1252")).0, "Café");
        assert_eq!(decode(b"Caf\xe9", Some("1252")).0, "Café");
        assert_eq!(decode(b"M\xfcller", Some("ISO-8859-1")).0, "Müller");
        assert_eq!(decode(b"M\xfcller", Some("8859-1")).0, "Müller");
        assert_eq!(decode(b"M\xfcller", Some("NONE")).0, "Müller");
        assert_eq!(decode(b"M\xfcller", Some("UTF-8")).0, "Müller");
        assert_eq!(decode(b"\xef\xbb\xbfabc", None).0, "abc");
        assert_eq!(decode(b"\xff\xfea\0b\0", None).0, "ab");
        assert_eq!(decode(b"\x80", Some("bogus")).0, "€");
    }

    #[test]
    fn entities_decode_and_a_bare_ampersand_stays() {
        assert_eq!(unescape("A&W #5567"), "A&W #5567");
        assert_eq!(unescape("AT&amp;T &lt;x&gt; &#38; &#x41;"), "AT&T <x> & A");
        assert_eq!(unescape("EE & T-MOBILE &copy; &"), "EE & T-MOBILE &copy; &");
        assert_eq!(unescape("&#0; &#xZZ;"), "&#0; &#xZZ;");
    }

    #[test]
    fn lines_count_forward_and_back() {
        let text = "a\nb\r\r\nc\n";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(2), 2);
        assert_eq!(lines.line_at(6), 3);
        assert_eq!(lines.line_at(1), 1);
        assert_eq!(lines.last_line(), 3);
    }
}
