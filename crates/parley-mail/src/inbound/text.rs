//! The text of an email when mail-parser's own reading falls short: a part declared `text`
//! without a subtype (no body text at all), a multipart without its boundary parameter (the
//! raw MIME shown as text), 8-bit text in an undeclared or wrong charset (replacement
//! characters). Each repair is tried only when the plain reading shows that symptom.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::html::html_to_text;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// The body text of `message`, repaired where needed.
pub(super) fn body_text(message: &Message<'_>) -> String {
    if let Some(text) = message.body_text(0)
        && !text.trim().is_empty()
    {
        if !text.contains('\u{FFFD}') {
            return text.into_owned();
        }
        if let Some(repaired) = message
            .text_part(0)
            .and_then(|part| redecoded(message, part))
        {
            return repaired;
        }
        return text.into_owned();
    }
    // No body text: a `text` part without subtype, or a multipart whose boundary is missing.
    for part in message.attachments() {
        let Some(content_type) = part.content_type() else {
            continue;
        };
        match (content_type.ctype(), content_type.subtype()) {
            ("text" | "TEXT" | "Text", None) => {
                if let Some(text) = part_text(message, part) {
                    return text;
                }
            }
            (kind, _) if kind.eq_ignore_ascii_case("multipart") => {
                if let Some(text) = with_found_boundary(part.contents()) {
                    return text;
                }
            }
            _ => {}
        }
    }
    String::new()
}

/// A part's text, decoded from its own bytes.
fn part_text(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    match &part.body {
        PartType::Text(text) if !text.contains('\u{FFFD}') => Some(text.to_string()),
        PartType::Html(html) => Some(html_to_text(html)),
        _ => redecoded(message, part),
    }
}

/// The part's raw bytes, transfer-decoded, read as UTF-8 when they are, else as Windows-1252
/// (what undeclared 8-bit mail from Western mailboxes nearly always is).
fn redecoded(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let raw = message
        .raw_message()
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let bytes: Cow<'_, [u8]> = match part.encoding {
        Encoding::None => raw.into(),
        Encoding::QuotedPrintable => quoted_printable_decode(raw)?.into(),
        Encoding::Base64 => base64_decode(raw)?.into(),
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => charset_decoder(b"windows-1252")?(&bytes),
    };
    let html = part
        .content_type()
        .and_then(|ct| ct.subtype())
        .is_some_and(|sub| sub.eq_ignore_ascii_case("html"));
    Some(if html { html_to_text(&text) } else { text })
}

/// A multipart body parsed again with the boundary its first `--` line shows.
fn with_found_boundary(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let boundary = text
        .lines()
        .find_map(|line| line.trim_end().strip_prefix("--"))
        .filter(|b| !b.is_empty() && !b.contains('"'))?;
    let mut rebuilt =
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    rebuilt.extend_from_slice(body);
    let message = MessageParser::default().parse(&rebuilt)?;
    let text = message.body_text(0)?;
    (!text.trim().is_empty()).then(|| text.into_owned())
}
