//! Reading a bounce: a delivery status notification (RFC 3464: `multipart/report` with a
//! `message/delivery-status` part) or a plain bounce written for people, sent back to the
//! per-email return path of a mail Parley sent.

use mail_parser::{MessageParser, MimeHeaders};

/// What a bounce says of the mail it returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The enhanced status code (`5.1.1`), when given.
    pub status: Option<String>,
    /// The remote server's reply (`550 5.1.1 <x@y>: user unknown`), when given.
    pub diagnostic: Option<String>,
    /// The address that could not be reached, when given.
    pub recipient: Option<String>,
    /// A permanent failure (5.x.x, or a 5xx reply); `false`: delayed or a temporary failure.
    pub permanent: bool,
    /// Whether the mail failed (`Action: failed`, or a plain bounce); `false` for a "delayed"
    /// or "delivered" notification, which changes nothing.
    pub failed: bool,
}

impl Bounce {
    /// The code to show: the status, else the reply's first word.
    #[must_use]
    pub fn code(&self) -> String {
        let reply = self.diagnostic.as_deref().and_then(|d| {
            d.split_whitespace()
                .find(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
        });
        match (reply, &self.status) {
            (Some(reply), Some(status)) => format!("{reply} {status}"),
            (None, Some(status)) => status.clone(),
            (Some(reply), None) => reply.to_owned(),
            (None, None) => String::new(),
        }
    }
}

/// The bounce in `raw`, if it is one (a report, or a plain bounce from a mailer daemon).
#[must_use]
pub fn parse_bounce(raw: &[u8]) -> Option<Bounce> {
    let message = MessageParser::default().parse(raw)?;
    for part in &message.parts {
        let is_status = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
        });
        if is_status {
            let text = String::from_utf8_lossy(part.contents());
            return Some(from_status(&text));
        }
    }
    // A plain bounce: a mailer daemon's words; the first SMTP reply in them tells.
    let from_daemon = message.from().and_then(|f| f.first()).is_some_and(|a| {
        a.address().is_some_and(|address| {
            let local = address
                .split('@')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            local == "mailer-daemon" || local == "postmaster"
        })
    }) || message
        .header_raw("Return-Path")
        .is_some_and(|raw| raw.trim().trim_matches(['<', '>', ' ']).is_empty());
    let text = message.body_text(0).unwrap_or_default();
    let reply = text
        .lines()
        .map(str::trim)
        .find(|line| smtp_reply(line).is_some());
    if !from_daemon && reply.is_none() {
        return None;
    }
    let reply = reply.map(str::to_owned);
    let status = reply.as_deref().and_then(enhanced_status);
    let permanent = reply
        .as_deref()
        .and_then(smtp_reply)
        .is_none_or(|code| code.starts_with('5'));
    Some(Bounce {
        status,
        diagnostic: reply,
        recipient: None,
        permanent,
        failed: true,
    })
}

/// The fields of a `message/delivery-status` body (the first recipient's block).
fn from_status(text: &str) -> Bounce {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    // `Final-Recipient: rfc822; x@y.example`, `Diagnostic-Code: smtp; 550 …`: the type goes.
    let typed = |value: String| {
        value
            .split_once(';')
            .map_or(value.clone(), |(_, v)| v.trim().to_owned())
    };
    let status = field("status")
        .map(|s| s.split_whitespace().next().unwrap_or_default().to_owned())
        .filter(|s| enhanced_status(s).is_some());
    let action = field("action").unwrap_or_default().to_ascii_lowercase();
    let diagnostic = field("diagnostic-code").map(typed);
    Bounce {
        permanent: status.as_deref().map_or_else(
            || {
                diagnostic
                    .as_deref()
                    .and_then(smtp_reply)
                    .is_some_and(|code| code.starts_with('5'))
            },
            |s| s.starts_with('5'),
        ),
        failed: action.is_empty() || action == "failed",
        recipient: field("final-recipient")
            .or_else(|| field("original-recipient"))
            .map(typed),
        diagnostic,
        status,
    }
}

/// A line's SMTP reply code (`550`, `452`…) when it starts with one (after an optional `smtp;`).
fn smtp_reply(line: &str) -> Option<&str> {
    let line = line.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '\n');
    let code = line.get(..3)?;
    let valid = code.bytes().all(|b| b.is_ascii_digit())
        && matches!(code.as_bytes()[0], b'4' | b'5')
        && line[3..].starts_with([' ', '-']);
    valid.then_some(code)
}

/// The first enhanced status code (`5.1.1`) in `text`.
fn enhanced_status(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..]
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSN: &str = "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n\
To: bounce-0193@reply.parley.localhost\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain\r\n\
\r\n\
I'm sorry to have to inform you that your message could not be delivered.\r\n\
--B\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example\r\n\
\r\n\
Final-Recipient: rfc822; nobody@buyer.example\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <nobody@buyer.example>:\r\n\
\x20Recipient address rejected: User unknown\r\n\
\r\n\
--B--\r\n";

    #[test]
    fn a_delivery_status_notification_gives_its_status_reply_and_recipient() {
        let bounce = parse_bounce(DSN.as_bytes()).expect("a bounce");
        assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
        assert_eq!(bounce.recipient.as_deref(), Some("nobody@buyer.example"));
        assert!(bounce.permanent && bounce.failed);
        assert!(
            bounce
                .diagnostic
                .as_deref()
                .is_some_and(|d| d.starts_with("550 5.1.1") && d.ends_with("User unknown")),
            "{bounce:?}"
        );
        assert_eq!(bounce.code(), "550 5.1.1");
    }

    #[test]
    fn a_delay_notice_is_not_a_failure_and_a_plain_bounce_is() {
        let delayed = DSN
            .replace("Action: failed", "Action: delayed")
            .replace("Status: 5.1.1", "Status: 4.4.1");
        let bounce = parse_bounce(delayed.as_bytes()).expect("a report");
        assert!(!bounce.failed && !bounce.permanent);
        let plain = "From: MAILER-DAEMON@mx.example\r\nSubject: failure notice\r\n\r\n\
Hi. This is the qmail-send program.\r\n\
<nobody@buyer.example>:\r\n\
552 5.2.2 mailbox full\r\n";
        let bounce = parse_bounce(plain.as_bytes()).expect("a plain bounce");
        assert_eq!(bounce.status.as_deref(), Some("5.2.2"));
        assert!(bounce.permanent && bounce.failed);
        let person = "From: Ana <ana@buyer.example>\r\nReturn-Path: <ana@buyer.example>\r\n\
Subject: hello\r\n\r\nThanks, see you.\r\n";
        assert_eq!(parse_bounce(person.as_bytes()), None);
    }
}
