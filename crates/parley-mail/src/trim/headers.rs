//! The lines of a quoted message's header block (`From:`, `Sent:`, `De :`, `Gesendet:` …) in
//! the languages the trimmer knows.

/// Header names that carry a date, then those that carry text, in lower case.
const DATE_HEADERS: &[&str] = &[
    "sent",
    "date",
    "le",
    "gesendet",
    "datum",
    "enviado",
    "enviada em",
    "fecha",
    "data",
    "skickat",
    "sendt",
    "发送时间",
    "發送時間",
    "дата",
    "отправлено",
    "envoyé",
    "inviato",
    "verzonden",
    "wysłano",
    "odesláno",
    "送信日時",
];
const TEXT_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "de",
    "expéditeur",
    "à",
    "a",
    "destinataire",
    "répondre à",
    "objet",
    "von",
    "an",
    "betreff",
    "para",
    "assunto",
    "asunto",
    "da",
    "risposta",
    "oggetto",
    "van",
    "aan",
    "beantwoorden - aan",
    "onderwerp",
    "från",
    "till",
    "ämne",
    "fra",
    "til",
    "emne",
    "发件人",
    "收件人",
    "主题",
    "寄件者",
    "收件者",
    "主旨",
    "от",
    "кому",
    "тема",
    "копия",
    "od",
    "do",
    "temat",
    "差出人",
    "宛先",
    "件名",
];

/// Whether the line is one of a quoted message's headers: a known name, a colon, a value.
pub(super) fn is_header(trimmed: &str) -> bool {
    let line = trimmed.trim_start_matches(['*', ' ', '\t', '>']);
    // A header name is at most 24 bytes: only that far is a colon looked for.
    let Some((name, value)) = split_at_colon(line, 24) else {
        return false;
    };
    let name = name.trim_matches(['*', ' ', '\t']).to_lowercase();
    if DATE_HEADERS.contains(&name.as_str()) {
        value.bytes().any(|b| b.is_ascii_digit())
    } else {
        TEXT_HEADERS.contains(&name.as_str()) && value.chars().any(char::is_alphanumeric)
    }
}

/// `line` around its first colon (':' or the full-width '：'), when that colon comes after at
/// most `max_name` bytes.
fn split_at_colon(line: &str, max_name: usize) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let end = bytes.len().min(max_name + 1);
    // '：' is U+FF1A: EF BC 9A in UTF-8; no other character starts with EF BC 9A.
    let (at, width) = (0..end).find_map(|i| match bytes[i] {
        b':' => Some((i, 1)),
        0xEF if bytes[i..].starts_with("：".as_bytes()) => Some((i, 3)),
        _ => None,
    })?;
    Some((&line[..at], &line[at + width..]))
}
