//! An email as the relay needs it: who it is from, its Message-ID, its text (the plain part,
//! or the HTML part turned into text, in any charset mail-parser knows), and its attachments
//! sorted into documents and what must be refused.

use mail_parser::{MessageParser, MimeHeaders};

use crate::trim_reply;

/// A parsed email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedEmail {
    /// The From header's address, in lower case.
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

/// Parses a raw email (RFC 5322 with MIME).
pub fn parse_email(raw: &[u8]) -> Result<ParsedEmail, ParseError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::Unreadable)?;
    let from = message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| addr.address())
        .map(|address| address.trim().to_lowercase());
    let full_text = message
        .body_text(0)
        .map(|text| text.replace("\r\n", "\n"))
        .unwrap_or_default();
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
        // An image the HTML shows inline (a logo, a signature picture) is not a document the
        // person attached.
        let inline_image = !declared_attachment
            && content_type.starts_with("image/")
            && (part.content_id().is_some()
                || part.content_disposition().is_some_and(|d| d.is_inline()));
        if inline_image {
            continue;
        }
        let filename = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| "attachment".to_owned());
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
