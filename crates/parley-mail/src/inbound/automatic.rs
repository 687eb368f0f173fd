//! Whether an email was written by a machine answering another (an out-of-office notice, an
//! autoresponder): such mail is never a message of the conversation, and Parley never answers
//! it (RFC 3834).

use mail_parser::Message;

/// Subjects out-of-office notices start with, in the nine languages Parley serves, lower-case.
const SUBJECTS: &[&str] = &[
    "out of office",
    "out of the office",
    "automatic reply",
    "auto-reply",
    "autoreply",
    "auto reply",
    "auto:",
    "abwesenheitsnotiz",
    "automatische antwort",
    "réponse automatique",
    "reponse automatique",
    "absence du bureau",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "risposta automatica",
    "fuori ufficio",
    "resposta automática",
    "resposta automatica",
    "ausência temporária",
    "fora do escritório",
    "автоответ",
    "автоматический ответ",
    "自动回复",
    "自動回覆",
    "自動返信",
    "不在",
];

/// A header's raw value, trimmed and lower-case (`auto-replied; owner-email=…` included).
fn header(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|raw| raw.trim().to_ascii_lowercase())
}

/// RFC 3834's `Auto-Submitted` other than `no`, the common `X-Autoreply` / `X-Autorespond`,
/// `Precedence: auto_reply | bulk | junk`, or an out-of-office subject.
pub(super) fn is_automatic(message: &Message<'_>) -> bool {
    let auto_submitted = header(message, "Auto-Submitted")
        .is_some_and(|value| value.split(';').next().map(str::trim) != Some("no"));
    let autoreply = ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
        .iter()
        .any(|name| message.header_raw(*name).is_some());
    let precedence = header(message, "Precedence")
        .is_some_and(|value| ["auto_reply", "bulk", "junk"].contains(&value.as_str()));
    let subject = message.subject().is_some_and(|subject| {
        let subject = subject.trim().to_lowercase();
        SUBJECTS.iter().any(|start| subject.starts_with(start))
    });
    auto_submitted || autoreply || precedence || subject
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn automatic(headers: &str) -> bool {
        let raw = format!("From: a@b.example\r\n{headers}\r\n\r\nbody\r\n");
        is_automatic(
            &MessageParser::default()
                .parse(raw.as_bytes())
                .expect("parses"),
        )
    }

    #[test]
    fn machines_answering_are_told_from_people() {
        for yes in [
            "Auto-Submitted: auto-replied",
            "Auto-Submitted: auto-generated",
            "X-Autoreply: yes",
            "X-Autorespond: Out of office",
            "Precedence: bulk",
            "Precedence: auto_reply",
            "Subject: Out of Office: Re: your quote",
            "Subject: Réponse automatique : Re: devis",
            "Subject: Abwesenheitsnotiz: Anfrage",
            "Subject: Автоответ: Re: запрос",
            "Subject: 自動返信: 見積もり",
        ] {
            assert!(automatic(yes), "{yes}");
        }
        for no in [
            "Auto-Submitted: no",
            "Precedence: list",
            "Subject: Re: out of office hours delivery?",
            "Subject: Re: your quote",
        ] {
            assert!(!automatic(no), "{no}");
        }
    }
}
