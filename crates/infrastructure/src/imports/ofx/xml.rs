//! OFX 2.x XML through quick-xml's pull parser, into the same events as the SGML
//! tokenizer. Tolerant where banks are sloppy: a bare `&` (`AT&T`) stays literal, an
//! unknown entity (`&copy;`) is kept as written, end tags need not match, and a leaf
//! left unclosed (`<CODE>0<SEVERITY>`) is still a leaf.

use quick_xml::{Reader, errors::Error as XmlError, events::Event};

use super::statement::Sink;
use crate::imports::decode::{LineCounter, resolve_entity};
use dashtam_domain::imports::{StatementError, StatementErrorCode as Code};

pub fn read(text: &str, sink: &mut impl Sink) -> Result<(), StatementError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    config.check_comments = false;
    // An element opened and not yet known to be a leaf or an aggregate, with its text.
    let mut pending: Option<(String, usize)> = None;
    let mut value = String::new();
    loop {
        let event = reader.read_event();
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Ok(Event::Start(start)) => {
                if let Some((name, pos)) = pending.take() {
                    flush(sink, &name, &value, pos)?;
                }
                value.clear();
                pending = Some((start.name().0.to_owned(), at));
            }
            Ok(Event::End(end)) => {
                let name = end.name().0;
                match pending.take() {
                    Some((open, pos)) if open == name => sink.leaf(&open, &value, pos)?,
                    Some((open, pos)) => {
                        flush(sink, &open, &value, pos)?;
                        sink.close(name, at)?;
                    }
                    None => sink.close(name, at)?,
                }
                value.clear();
            }
            Ok(Event::Empty(empty)) => {
                if let Some((name, pos)) = pending.take() {
                    flush(sink, &name, &value, pos)?;
                }
                value.clear();
                sink.leaf(empty.name().0, "", at)?;
            }
            Ok(Event::Text(text)) if pending.is_some() => value.push_str(&text),
            Ok(Event::CData(data)) if pending.is_some() => value.push_str(&data),
            Ok(Event::GeneralRef(entity)) if pending.is_some() => {
                match entity
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .or_else(|| resolve_entity(&entity))
                {
                    Some(ch) => value.push(ch),
                    None => {
                        value.push('&');
                        value.push_str(&entity);
                        value.push(';');
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => return Err(xml_error(text, &reader, &error)),
        }
    }
    if let Some((name, pos)) = pending.take() {
        flush(sink, &name, &value, pos)?;
    }
    Ok(())
}

/// An element whose contents end at another tag: a leaf if it has text (an unclosed
/// leaf), else an aggregate that opened.
fn flush(sink: &mut impl Sink, name: &str, value: &str, at: usize) -> Result<(), StatementError> {
    if value.trim().is_empty() {
        sink.open(name, at)
    } else {
        sink.leaf(name, value, at)
    }
}

fn xml_error(text: &str, reader: &Reader<&[u8]>, error: &XmlError) -> StatementError {
    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
    let line = LineCounter::new(text).line_at(at);
    let cut_short = matches!(error, XmlError::Syntax(_)) && at >= text.trim_end().len();
    if cut_short {
        StatementError::at(
            Code::Truncated,
            line,
            format!("the file ends at line {line} in the middle of a tag: it looks cut short"),
        )
    } else {
        StatementError::at(
            Code::Malformed,
            line,
            format!("line {line}: the XML is not readable ({error})"),
        )
    }
}
