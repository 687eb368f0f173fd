//! An emailed reply as the relay's use cases take it, made once from the parsed email: by the
//! SMTP adapter when it arrives, and again from its original when a held reply is released.

use parley_mail::ParsedEmail;

use crate::Upload;
use crate::held::SenderCheck;

/// An email received for a masked address.
#[derive(Debug, Clone, Default)]
pub struct InboundEmail {
    /// The From header's address.
    pub from: String,
    pub message_id: Option<String>,
    pub subject: Option<String>,
    /// The whole text (the plain part, or the HTML part turned into text).
    pub full_text: String,
    /// The reply without the quoted history and signature.
    pub reply_text: String,
    /// PDF documents.
    pub documents: Vec<Upload>,
    /// The names of the other attachments: kept in the original, not passed on; the sender
    /// is told once.
    pub set_aside: Vec<String>,
    /// The raw message, kept with the message (`messages.email_raw`) as its original.
    pub raw: Vec<u8>,
    /// Written by a machine answering (out of office…): noted, never a message.
    pub automatic: bool,
    /// What sender authentication found, when the relay checks it.
    pub authentication: Option<SenderCheck>,
}

/// A PDF over the document limit: the whole email is refused, naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentTooLarge {
    pub filename: String,
    pub limit_mb: usize,
}

impl InboundEmail {
    /// The reply in `parsed` from `sender`: PDFs become documents; anything else the person
    /// attached stays in the original and is named in a notice to the sender (a vCard, a
    /// `winmail.dat`, a forwarded email…): the reply itself goes through.
    pub fn from_parsed(
        parsed: ParsedEmail,
        sender: String,
        raw: Vec<u8>,
        max_document_bytes: usize,
    ) -> Result<Self, DocumentTooLarge> {
        let mut documents = Vec::new();
        let mut set_aside = Vec::new();
        for (index, attachment) in parsed.attachments.into_iter().enumerate() {
            if !attachment.bytes.starts_with(b"%PDF-") {
                let name = parley_domain::text::clean_line(&attachment.filename);
                set_aside.push(name.chars().take(120).collect());
                continue;
            }
            if attachment.bytes.len() > max_document_bytes {
                return Err(DocumentTooLarge {
                    filename: attachment.filename,
                    limit_mb: max_document_bytes / (1024 * 1024),
                });
            }
            documents.push(Upload {
                field: format!("attachment_{index}"),
                kind: "other".to_owned(),
                filename: attachment.filename,
                bytes: attachment.bytes.into(),
            });
        }
        Ok(Self {
            from: sender,
            message_id: parsed.message_id,
            subject: parsed.subject,
            full_text: parsed.full_text,
            reply_text: parsed.reply_text,
            documents,
            set_aside,
            raw,
            automatic: parsed.automatic,
            authentication: None,
        })
    }
}
