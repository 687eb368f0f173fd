//! What each line of an email body is: the trimmer decides on the sequence of kinds.

use super::attribution;
use super::headers::is_header;
use super::phrases::Phrases;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Empty,
    /// A line of only `-_=+~#*—…` ("--", "________"): what follows is signature or history.
    Delimiter,
    /// "Sent from my iPhone" and its kin.
    Signature,
    /// "On … wrote:", "-----Original Message-----": an earlier email starts here.
    Attribution,
    /// "From: …", "Sent: …": the header block of an embedded email.
    Header,
    Quote,
    Text,
}

/// Kinds of `lines`, with code blocks (```) kept as text whatever they contain.
pub(super) fn classify(lines: &[&str]) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(lines.len());
    let mut in_code = false;
    let mut lower = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_fence(line) {
            in_code = !in_code;
            kinds.push(Kind::Text);
            i += 1;
            continue;
        }
        if in_code {
            kinds.push(Kind::Text);
            i += 1;
            continue;
        }
        // Every test below is case-insensitive: the line is lowered once, here, into a
        // buffer reused from line to line.
        lower_into(line, &mut lower);
        let kind = line_kind_lower(line, &lower);
        if kind == Kind::Attribution && closes_attribution(line, lines.get(i + 1)) {
            kinds.extend([Kind::Attribution, Kind::Attribution]);
            i += 2;
            continue;
        }
        // A header line ("Date: Wed, 4 Nov 2026 at 09:41") is a header, however much it
        // reads like the start of "On Wed, 4 Nov 2026 at 09:41, Ana wrote:".
        if !matches!(kind, Kind::Attribution | Kind::Header)
            && attribution::may_start_attribution_lower(&lower)
            && let Some(span) = wrapped_attribution(&lines[i..])
        {
            kinds.extend(std::iter::repeat_n(Kind::Attribution, span));
            i += span;
            continue;
        }
        kinds.push(kind);
        i += 1;
    }
    date_first_attributions(lines, &mut kinds);
    kinds
}

/// Signs that show nothing: a line of only these (and spaces) is empty, wherever a client or
/// a signature tool left them.
const INVISIBLE: &[char] = &[
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}',
];

fn is_blank(c: char) -> bool {
    c.is_whitespace() || INVISIBLE.contains(&c)
}

/// "2016-03-03 17:21 GMT+01:00 Some One" above a quote: the attribution some clients write
/// date first, without "wrote" or a colon; and any line that ends with an address and a
/// colon above a quote, whatever its language or digits ("… كتب Ana <ana@example.com>:").
/// Only a line followed by a quote counts, so a person's own line stays text.
fn date_first_attributions(lines: &[&str], kinds: &mut [Kind]) {
    let mut next_not_empty = None;
    for i in (0..kinds.len()).rev() {
        let above_a_quote = || {
            next_not_empty == Some(Kind::Quote)
                && (starts_with_iso_date_time(lines[i])
                    || attribution::ends_with_address_and_colon(&lowered(lines[i])))
        };
        if kinds[i] == Kind::Text && (iso_date_time_zone_first(lines[i]) || above_a_quote()) {
            kinds[i] = Kind::Attribution;
        }
        if kinds[i] != Kind::Empty {
            next_not_empty = Some(kinds[i]);
        }
    }
}

/// `YYYY-MM-DD HH:MM GMT+01:00 Some One`: a time zone right after the time is how a mail
/// client writes the date, not how a person starts a sentence, so no quote needs to follow.
fn iso_date_time_zone_first(line: &str) -> bool {
    let line = line.trim_start();
    let zone = |rest: &str| ["GMT", "UTC", "+", "-"].iter().any(|z| rest.starts_with(z));
    starts_with_iso_date_time(line)
        && zone(line[16..].trim_start())
        && !attribution::ends_a_sentence(line)
}

/// `YYYY-MM-DD HH:MM` at the start of a short line.
fn starts_with_iso_date_time(line: &str) -> bool {
    let line = line.trim_start();
    let bytes = line.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    line.len() <= 200
        && digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(bytes.get(10), Some(b' ' | b'T'))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
}

/// A code fence ("```"), indented or not.
fn is_fence(line: &str) -> bool {
    matches!(line.trim_start().as_bytes(), [b'`', b'`', b'`', ..])
}

/// `line` in lower case, into `buffer`, without its direction marks (see [`lowered`]).
fn lower_into(line: &str, buffer: &mut String) {
    buffer.clear();
    if line.is_ascii() {
        buffer.push_str(line);
        buffer.make_ascii_lowercase();
    } else {
        buffer.push_str(&lowered(line));
    }
}

/// `line` in lower case without the invisible marks that set the direction of text: Gmail in
/// Arabic or Hebrew wraps the name, the address and the colon of its attribution in them
/// (`<\u{202a}ana@example.com\u{202c}\u{200f}>:`), which no phrase or address would match.
pub(super) fn lowered(line: &str) -> String {
    let is_direction_mark = |c: char| {
        matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
    };
    if line.contains(is_direction_mark) {
        line.replace(is_direction_mark, "").to_lowercase()
    } else {
        line.to_lowercase()
    }
}

#[cfg(test)]
fn line_kind(line: &str) -> Kind {
    line_kind_lower(line, &lowered(line))
}

/// The kind of `line`, given it in lower case too.
fn line_kind_lower(line: &str, lower: &str) -> Kind {
    let trimmed = line.trim_matches(is_blank);
    if trimmed.is_empty() || is_inline_image(trimmed) {
        Kind::Empty
    } else if is_delimiter(trimmed) {
        Kind::Delimiter
    } else if is_signature(trimmed, lower.trim()) {
        Kind::Signature
    } else if attribution::is_attribution_lower(lower) {
        Kind::Attribution
    } else if is_header(trimmed) {
        Kind::Header
    } else if trimmed.starts_with('>') || is_initials_quote(trimmed) {
        Kind::Quote
    } else {
        Kind::Text
    }
}

/// "[cid:image001.png@01DA…]": where Outlook's text part had an inline image (a signature's
/// logo, mostly); the image is not text, and the whole email keeps the mark.
fn is_inline_image(trimmed: &str) -> bool {
    trimmed.len() < 200
        && trimmed.starts_with("[cid:")
        && trimmed.ends_with(']')
        && !trimmed.contains(char::is_whitespace)
}

/// A quote marked with the author's initials, as Emacs' Supercite writes them: "C>",
/// "SO> the text".
fn is_initials_quote(line: &str) -> bool {
    let initials = line.bytes().take_while(u8::is_ascii_uppercase).count();
    (1..=4).contains(&initials)
        && line.as_bytes().get(initials) == Some(&b'>')
        && line.as_bytes().get(initials + 1).is_none_or(|b| *b == b' ')
}

/// Whether `next` is the short tail of the attribution on `line` ("wrote:", ">:").
fn closes_attribution(line: &str, next: Option<&&str>) -> bool {
    let Some(next) = next else { return false };
    let tail = next.trim();
    tail.chars().count() <= 30
        && tail.ends_with([':', '：'])
        && attribution::is_attribution(&format!("{} {tail}", line.trim_end()))
}

/// How many lines, from the first, form one attribution wrapped by the client (2 to 6).
fn wrapped_attribution(lines: &[&str]) -> Option<usize> {
    let mut joined = lines[0].trim_end().to_owned();
    for (extra, next) in lines.iter().enumerate().skip(1).take(5) {
        let part = next.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '>' | '-'));
        let part = part.trim_end();
        if attribution::starts_new_attribution(next) || joined.len() > 400 {
            return None;
        }
        if !part.is_empty() {
            joined.push(' ');
            joined.push_str(part);
            if attribution::is_attribution(&joined) {
                let closed = closes_attribution(&joined, lines.get(extra + 1));
                return Some(extra + 1 + usize::from(closed));
            }
            if attribution::ends_a_sentence(part) {
                return None;
            }
        }
    }
    None
}

const DELIMITER_CHARS: &[char] = &['-', '_', ',', '=', '+', '~', '#', '*', 'ᐧ', '—', '–'];

/// Two or more delimiter characters alone on a line ("--", "______"); a lone "-" or "*" is
/// a bullet, not a delimiter. A long dash alone counts (Outlook, GitLab), and so does the
/// "ᐧ" mail trackers put under a signature.
fn is_delimiter(trimmed: &str) -> bool {
    trimmed
        .chars()
        .all(|c| DELIMITER_CHARS.contains(&c) || c == ' ')
        && (trimmed.chars().filter(|c| !c.is_whitespace()).count() >= 2
            || matches!(trimmed, "—" | "_" | "ᐧ"))
}

/// Signatures mail clients add on phones and web mail, in lower case, matched at the start
/// of the line (after "(" or "<" and with markdown links reduced to their text).
static SIGNATURE_PREFIXES: Phrases = Phrases::new(&[
    "sent from ",
    "sent via ",
    "sent with ",
    "sent by ",
    "sent using ",
    "get outlook for ",
    "envoyé depuis mon",
    "envoyé depuis yahoo",
    "envoyé de mon",
    "envoyé avec ",
    "inviato da ",
    "inviato dal mio",
    "sendt fra min ",
    "enviado do meu ",
    "enviado desde mi ",
    "enviado de mi ",
    "enviado a partir do",
    "verzonden met ",
    "verstuurd vanaf mijn ",
    "verzonden vanaf mijn ",
    "från min ",
    "skickat från min ",
    "skickat från ",
    "отправлено с ",
    "надіслано з ",
    "wysłane z ",
    "從我的 iphone 傳送",
    "发自我的",
    "iphoneから送信",
    "lähetetty ",
]);

/// Whether a line (trimmed, and in lower case) is a mobile or web mail signature.
fn is_signature(trimmed: &str, lower: &str) -> bool {
    // More than 120 characters: counted only when the bytes leave it open.
    if trimmed.len() > 120 && (trimmed.len() > 480 || trimmed.chars().count() > 120) {
        return false;
    }
    let text = without_markdown_links(lower);
    let text = text.trim_start_matches(['(', '<', ' ', '\t']);
    if SIGNATURE_PREFIXES.starts(text) {
        return true;
    }
    if let Some(rest) = text.strip_prefix("from my ") {
        return rest.chars().count() <= 24;
    }
    if text.starts_with("von meinem ") || text.starts_with("diese nachricht wurde von ") {
        return text.trim_end_matches(['.', ' ']).ends_with(" gesendet");
    }
    // "Ana from mobile"
    text.split_once(' ')
        .is_some_and(|(first, rest)| !first.is_empty() && rest.starts_with("from mobile"))
}

/// "[text](url)" becomes "text": signatures are often written with links.
fn without_markdown_links(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("](") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_typical_lines() {
        assert_eq!(line_kind(""), Kind::Empty);
        assert_eq!(line_kind("-- "), Kind::Delimiter);
        assert_eq!(line_kind("- one bullet"), Kind::Text);
        assert_eq!(line_kind("*"), Kind::Text);
        assert_eq!(line_kind("Sent from my iPhone"), Kind::Signature);
        assert_eq!(
            line_kind("Get [Outlook for Android](https://aka.ms/x)"),
            Kind::Signature
        );
        assert_eq!(line_kind("Von meinem Mobilgerät gesendet"), Kind::Signature);
        assert_eq!(line_kind("From: Ana <ana@example.com>"), Kind::Header);
        assert_eq!(
            line_kind("Sent: Thursday, 28 January 2016 8:16 p.m."),
            Kind::Header
        );
        assert_eq!(line_kind("Sent: soon"), Kind::Text);
        assert_eq!(line_kind("> quoted"), Kind::Quote);
        assert_eq!(line_kind("C>"), Kind::Quote);
        assert_eq!(line_kind("SO> quoted"), Kind::Quote);
        assert_eq!(line_kind("A>B is a rule"), Kind::Text);
        assert_eq!(line_kind("ABCDE> text"), Kind::Text);
        assert_eq!(line_kind("The price is 10 EUR."), Kind::Text);
    }

    #[test]
    fn wrapped_attributions_span_their_lines() {
        let lines = [
            "On Mon, Feb 1, 2016 at 6:32 PM, Jeff <info@example.org>",
            "wrote:",
            "",
        ];
        assert_eq!(
            classify(&lines),
            [Kind::Attribution, Kind::Attribution, Kind::Empty]
        );
        let prose = [
            "On this day",
            "",
            "I wrote something",
            "",
            "which was very interesting.",
        ];
        assert!(!classify(&prose).contains(&Kind::Attribution));
    }
}
