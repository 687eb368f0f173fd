//! The rules of sending a message: the guide's send errors (FAQ f), each with its own code.

use serde::{Deserialize, Serialize};

use crate::email::{EmailAddress, InvalidEmail};

/// The errors a send can report, one code each (FAQ f, plus non-PDF documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendErrorCode {
    /// “You attached a file of more than 10 MB.”
    FileTooLarge,
    /// “The Sender field is empty.”
    SenderEmpty,
    /// “The message field is empty.”
    MessageEmpty,
    /// “The Sender address is incorrect.”
    SenderInvalid,
    /// “One of the Copy addresses is incorrect.”
    CcInvalid,
    /// The document is not a PDF (checked by content, not by name).
    DocumentNotPdf,
    /// The document kind is neither quote nor other.
    DocumentKindInvalid,
    /// The message is longer than [`MAX_MESSAGE_CHARS`].
    MessageTooLong,
}

/// The longest message, in characters: a long letter, far from a pasted database.
pub const MAX_MESSAGE_CHARS: usize = 20_000;

impl SendErrorCode {
    /// The stable code clients match on.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FileTooLarge => "file_too_large",
            Self::SenderEmpty => "sender_empty",
            Self::MessageEmpty => "message_empty",
            Self::SenderInvalid => "sender_invalid",
            Self::CcInvalid => "cc_invalid",
            Self::DocumentNotPdf => "document_not_pdf",
            Self::DocumentKindInvalid => "document_kind_invalid",
            Self::MessageTooLong => "message_too_long",
        }
    }
}

/// One problem with one field of a form or API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name as the client sent it (`body`, `sender`, `cc`, `document`…).
    pub field: String,
    /// The stable code.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl FieldError {
    /// A send error on `field`.
    #[must_use]
    pub fn send(field: &str, code: SendErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.as_str().to_owned(),
            message: message.into(),
        }
    }
}

/// A message whose text fields passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMessage {
    /// The text, with surrounding blank lines removed.
    pub body: String,
    /// The sender's address when one was given (the seller's “Sender” field).
    pub sender: Option<EmailAddress>,
    /// The people in copy.
    pub cc: Vec<EmailAddress>,
}

/// Applies the send rules to the text fields. `sender` is `None` when the field was not sent at
/// all (the caller's own address is used), `Some("")` when it was sent empty (an error: the guide
/// asks the person to type their address). `cc` is a list of addresses separated by commas,
/// semicolons or new lines. Every problem is reported, not just the first, so a form can show
/// them all at once.
pub fn validate_message(
    body: &str,
    sender: Option<&str>,
    cc: &str,
) -> Result<ValidMessage, Vec<FieldError>> {
    let mut errors = Vec::new();
    let body = body.trim_matches(|c: char| c == '\n' || c == '\r' || c.is_whitespace());
    if body.is_empty() {
        errors.push(FieldError::send(
            "body",
            SendErrorCode::MessageEmpty,
            "The message field is empty.",
        ));
    } else if body.chars().count() > MAX_MESSAGE_CHARS {
        errors.push(FieldError::send(
            "body",
            SendErrorCode::MessageTooLong,
            format!("The message is longer than {MAX_MESSAGE_CHARS} characters."),
        ));
    }
    let sender = match sender.map(EmailAddress::parse) {
        None => None,
        Some(Ok(address)) => Some(address),
        Some(Err(InvalidEmail::Empty)) => {
            errors.push(FieldError::send(
                "sender",
                SendErrorCode::SenderEmpty,
                "The Sender field is empty: please enter your email address.",
            ));
            None
        }
        Some(Err(InvalidEmail::Malformed(text))) => {
            errors.push(FieldError::send(
                "sender",
                SendErrorCode::SenderInvalid,
                format!("The Sender address “{text}” is incorrect."),
            ));
            None
        }
    };
    let mut copies = Vec::new();
    let mut bad = Vec::new();
    for item in cc
        .split([',', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match EmailAddress::parse(item) {
            Ok(address) if !copies.contains(&address) => copies.push(address),
            Ok(_) => {}
            Err(_) => bad.push(format!("“{item}”")),
        }
    }
    // One error for the field, however many addresses are wrong (each named in it).
    if !bad.is_empty() {
        errors.push(FieldError::send(
            "cc",
            SendErrorCode::CcInvalid,
            format!("The Copy addresses are incorrect: {}.", bad.join(", ")),
        ));
    }
    if errors.is_empty() {
        Ok(ValidMessage {
            body: body.to_owned(),
            sender,
            cc: copies,
        })
    } else {
        Err(errors)
    }
}

/// Applies the document rules: PDF only (the caller sniffs the content), `max_bytes` at most.
#[must_use]
pub fn check_document(
    field: &str,
    filename: &str,
    size: usize,
    max_bytes: usize,
    is_pdf: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if size > max_bytes {
        errors.push(FieldError::send(
            field,
            SendErrorCode::FileTooLarge,
            format!(
                "“{filename}” is larger than {} MB.",
                max_bytes.div_ceil(1024 * 1024)
            ),
        ));
    }
    if !is_pdf {
        errors.push(FieldError::send(
            field,
            SendErrorCode::DocumentNotPdf,
            format!("“{filename}” is not a PDF file: only PDF documents can be sent."),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn accepts_a_valid_message_and_dedupes_copies() {
        let ok = validate_message(
            "\n  Hello \n",
            Some("me@seller.com"),
            "a@x.com; a@x.com, b@y.org",
        )
        .expect("valid");
        assert_eq!(ok.body, "Hello");
        assert_eq!(ok.sender.map(String::from), Some("me@seller.com".into()));
        assert_eq!(ok.cc.len(), 2);
    }

    #[test]
    fn each_guide_error_has_its_code() {
        let errors = validate_message("  ", Some(""), "").expect_err("invalid");
        assert_eq!(codes(&errors), ["message_empty", "sender_empty"]);
        let errors =
            validate_message("hi", Some("not-an-address"), "ok@x.com, bad@").expect_err("x");
        assert_eq!(codes(&errors), ["sender_invalid", "cc_invalid"]);
        assert!(validate_message("hi", None, "").is_ok());
    }

    #[test]
    fn documents_must_be_small_pdfs() {
        assert!(check_document("document", "q.pdf", 10, 10, true).is_empty());
        assert_eq!(
            codes(&check_document("document", "q.pdf", 11, 10, true)),
            ["file_too_large"]
        );
        assert_eq!(
            codes(&check_document("document", "q.exe", 11, 10, false)),
            ["file_too_large", "document_not_pdf"]
        );
    }
}
