//! An email as the relay needs it: who it is from, its Message-ID, its text (the plain part,
//! or the HTML part turned into text, in any charset mail-parser knows), and its attachments
//! sorted into documents and what must be refused.

mod automatic;
mod text;

use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::trim_reply;

/// A parsed email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedEmail {
    /// The From header's address, in lower case; `None` when it names none or several.
    pub from: Option<String>,
    pub message_id: Option<String>,
    pub subject: Option<String>,
    /// The whole text of the email.
    pub full_text: String,
    /// The new text of the reply: [`trim_reply`] of the whole text.
    pub reply_text: String,
    /// Attachments the person sent (not the images inlined in an HTML body: those stay in
    /// the original).
    pub attachments: Vec<Attachment>,
    /// Written by a machine answering (out of office, autoresponder): see `automatic`.
    pub automatic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// `type/subtype` as the email declares it (the content is checked separately).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why an email cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is not a readable email")]
    Unreadable,
}

/// Whether a part the parser lists among attachments is one the person attached. Not: the
/// signature of a signed email (S/MIME `smime.p7s`, PGP `signature.asc`), a calendar
/// alternative of the text (a meeting answer) or the body given as a subtype-less `text` part,
/// an image an HTML body shows inline (a logo, a signature picture): those stay in the
/// original. Without an HTML body an inline image is a picture the person sent (Apple Mail puts
/// photos inline in plain-text mail), so it is an attachment like any other.
fn is_attachment(
    content_type: &str,
    declared: bool,
    has_html: bool,
    part: &mail_parser::MessagePart<'_>,
) -> bool {
    const SIGNATURES: [&str; 3] = [
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
    ];
    if SIGNATURES.contains(&content_type) {
        return false;
    }
    if !declared && (content_type == "text/calendar" || content_type == "text") {
        return false;
    }
    let inline_image = !declared
        && has_html
        && content_type.starts_with("image/")
        && (part.content_id().is_some()
            || part.content_disposition().is_some_and(|d| d.is_inline()));
    !inline_image && !content_type.starts_with("multipart/")
}

/// Parses a raw email (RFC 5322 with MIME).
pub fn parse_email(raw: &[u8]) -> Result<ParsedEmail, ParseError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::Unreadable)?;
    let senders: Vec<&mail_parser::Addr<'_>> = message
        .from()
        .map(|from| from.iter().collect())
        .unwrap_or_default();
    // Two senders in From: who wrote it cannot be told, so nobody did.
    let from = match senders.as_slice() {
        [one] => one.address().map(|address| address.trim().to_lowercase()),
        _ => None,
    };
    let full_text = text::body_text(&message).replace("\r\n", "\n");
    // (mail-parser lists text parts as the HTML body too when there is no HTML.)
    let has_html = message.html_body.iter().any(|&id| {
        message
            .part(id)
            .is_some_and(|part| matches!(part.body, PartType::Html(_)))
    });
    let mut attachments = Vec::new();
    for part in message.attachments() {
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub).to_lowercase(),
                None => ct.ctype().to_lowercase(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let declared_attachment = part
            .content_disposition()
            .is_some_and(mail_parser::ContentType::is_attachment);
        if !is_attachment(&content_type, declared_attachment, has_html, part) {
            continue;
        }
        let filename = match &part.body {
            PartType::Message(forwarded) => format!(
                "{}.eml",
                forwarded.subject().unwrap_or("forwarded message").trim()
            ),
            _ => part
                .attachment_name()
                .map(str::to_owned)
                .unwrap_or_else(|| "attachment".to_owned()),
        };
        attachments.push(Attachment {
            filename,
            content_type,
            bytes: part.contents().to_vec(),
        });
    }
    Ok(ParsedEmail {
        from,
        message_id: message.message_id().map(str::to_owned),
        subject: message.subject().map(str::to_owned),
        reply_text: trim_reply(&full_text),
        full_text: full_text.trim().to_owned(),
        attachments,
        automatic: automatic::is_automatic(&message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(email: &ParsedEmail) -> Vec<&str> {
        email
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect()
    }

    #[test]
    fn signatures_and_alternatives_are_not_attachments() {
        let smime = "From: a@b.example\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSigned hello\r\n--b1\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--b1--\r\n";
        let email = parse_email(smime.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "Signed hello");
        assert!(email.attachments.is_empty(), "{:?}", names(&email));
        let pgp = "From: a@b.example\r\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nPGP hello\r\n--b1\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--b1--\r\n";
        let email = parse_email(pgp.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "PGP hello");
        assert!(email.attachments.is_empty());
        let calendar = "From: a@b.example\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nMeeting ok\r\n--b1\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--b1--\r\n";
        let email = parse_email(calendar.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "Meeting ok");
        assert!(email.attachments.is_empty());
    }

    #[test]
    fn other_attachments_are_listed_by_name() {
        let mixed = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b1\r\nContent-Type: text/x-vcard; name=\"ana.vcf\"\r\nContent-Disposition: attachment; filename=\"ana.vcf\"\r\n\r\nBEGIN:VCARD\r\nEND:VCARD\r\n--b1\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IgAA\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.example\r\nSubject: Old offer\r\n\r\nOld text\r\n--b1--\r\n";
        let email = parse_email(mixed.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "Hi");
        assert_eq!(names(&email), ["ana.vcf", "winmail.dat", "Old offer.eml"]);
    }

    #[test]
    fn messy_bodies_are_decoded() {
        let subtype_less = "From: a@b.example\r\nContent-Type: text; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29ybGQ=\r\n";
        let email = parse_email(subtype_less.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "Hello world");
        assert!(email.attachments.is_empty());
        let no_boundary = "From: a@b.example\r\nContent-Type: multipart/alternative\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHello there\r\n--b1--\r\n";
        let email = parse_email(no_boundary.as_bytes()).expect("parses");
        assert_eq!(email.reply_text, "Hello there");
        assert!(!email.full_text.contains("--b1"));
        let mut latin1 = b"From: a@b.example\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nTr".to_vec();
        latin1.push(0xe8);
        latin1.extend_from_slice(b"s bien, merci\r\n");
        let email = parse_email(&latin1).expect("parses");
        assert_eq!(email.reply_text, "Très bien, merci");
    }

    #[test]
    fn two_senders_are_nobody() {
        let raw = "From: a@b.example, c@d.example\r\nSubject: x\r\n\r\nHi\r\n";
        assert_eq!(parse_email(raw.as_bytes()).expect("parses").from, None);
    }

    #[test]
    fn reads_a_plain_reply() {
        let raw = b"From: Ana Silva <Ana@Example.com>\r\nTo: x@reply.example\r\nSubject: Re: pumps\r\nMessage-ID: <abc@example.com>\r\n\r\nYes, please send the quote.\r\n\r\nOn Mon, 3 May 2026 at 10:02, Hydrotech <x@reply.example> wrote:\r\n> Shall we send a quote?\r\n";
        let email = parse_email(raw).expect("parses");
        assert_eq!(email.from.as_deref(), Some("ana@example.com"));
        assert_eq!(email.message_id.as_deref(), Some("abc@example.com"));
        assert_eq!(email.reply_text, "Yes, please send the quote.");
        assert!(email.full_text.contains("Shall we send a quote?"));
        assert!(email.attachments.is_empty());
    }

    #[test]
    fn turns_html_into_text_and_decodes_charsets() {
        let raw = "From: a@example.com\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Tr=E8s bien, <b>merci</b>.</p><p>Le devis convient.</p>\r\n";
        let email = parse_email(raw.as_bytes()).expect("parses");
        assert!(
            email.reply_text.contains("Très bien, merci."),
            "{}",
            email.reply_text
        );
        assert!(email.reply_text.contains("Le devis convient."));
    }

    #[test]
    fn sorts_attachments_from_inline_images() {
        let raw = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: multipart/related; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/html\r\n\r\n<p>See the order.</p><img src=\"cid:logo\">\r\n--b2\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b2--\r\n--b1\r\nContent-Type: application/pdf; name=\"order.pdf\"\r\nContent-Disposition: attachment; filename=\"order.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
        let email = parse_email(raw.as_bytes()).expect("parses");
        assert_eq!(email.attachments.len(), 1, "{:?}", email.attachments);
        assert_eq!(email.attachments[0].filename, "order.pdf");
        assert_eq!(email.attachments[0].content_type, "application/pdf");
        assert!(email.attachments[0].bytes.starts_with(b"%PDF-1.4"));
        assert_eq!(email.reply_text, "See the order.");
    }
}
