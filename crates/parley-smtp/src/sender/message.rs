//! A queued mail as a MIME message: plain text with an HTML alternative, from the masked
//! address the outbox row names (or Parley's own), with a Message-ID derived from the row.

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use parley_app::mail::outbox::Mail;
use parley_domain::text::clean_line;

use super::DeliveryConfig;

/// Builds the message for `mail`; an error is permanent (an address that does not parse).
/// Names and subjects were checked where they entered Parley; they are cleaned again here, as
/// lettre panics on a control character in a display name and one such mail must never stop
/// the queue (older rows, or a path that forgot).
pub fn build_message(mail: &Mail, config: &DeliveryConfig) -> Result<Message, String> {
    let from_address = mail
        .from_address
        .as_deref()
        .unwrap_or(config.from_address.as_str());
    let from = Mailbox::new(
        Some(
            mail.from_name
                .as_deref()
                .map(clean_line)
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "Parley".to_owned()),
        ),
        from_address
            .parse()
            .map_err(|e| format!("bad sender address {from_address}: {e}"))?,
    );
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("bad recipient address: {e}"))?;
    // The return path names the mail (VERP): a bounce says which mail failed.
    let return_path: lettre::Address =
        parley_app::bounces::return_path(&mail.id, &config.message_id_domain)
            .parse()
            .map_err(|e| format!("bad return path: {e}"))?;
    let envelope = lettre::address::Envelope::new(Some(return_path), vec![to.email.clone()])
        .map_err(|e| format!("the envelope: {e}"))?;
    let builder = Message::builder()
        .envelope(envelope)
        .from(from)
        .to(to)
        .subject(clean_line(&mail.subject))
        .message_id(Some(format!("<{}@{}>", mail.id, config.message_id_domain)))
        .header(AutoSubmitted);
    let text = parley_mail::wrap_long_lines(&mail.text_body).into_owned();
    let built = match &mail.html_body {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(text, html.clone())),
        None => builder.header(ContentType::TEXT_PLAIN).body(text),
    };
    built.map_err(|e| format!("building the message: {e}"))
}

/// `Auto-Submitted: auto-generated` (RFC 3834) on everything Parley sends: autoresponders
/// must not answer it, so an out-of-office notice never starts a loop with the relay.
#[derive(Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}
