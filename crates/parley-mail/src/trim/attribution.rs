//! Attribution lines: the line a mail client writes above the email it quotes
//! ("On 3 May 2024, Ana <ana@example.com> wrote:", "Le … a écrit :", "Am … schrieb …:",
//! "-----Original Message-----"). Clients wrap them over several lines, so a line that
//! starts like one is tried again joined with the lines that follow.

use super::phrases::Phrases;

/// Words an attribution starts with, before the date ("On 3 May…", "Le 4 janv.…").
static OPENERS: Phrases = Phrases::new(&[
    "on",
    "at",
    "in message",
    "le",
    "am",
    "el",
    "il",
    "op",
    "em",
    "dnia",
    "dňa",
    "den",
    "på",
    "dne",
    "w dniu",
    "в",
    "在",
    "於",
]);

/// What an attribution ends with, before the final colon.
static CLOSERS: Phrases = Phrases::new(&[
    "wrote",
    "writes",
    "said",
    "says",
    "a écrit",
    "nous a dit",
    "schrieb",
    "geschrieben",
    "schrieben sie",
    "escribió",
    "ha scritto",
    "escreveu",
    "napisał",
    "napisał(a)",
    "napisała",
    "pisze",
    "skrev",
    "schreef",
    "het volgende geschreven",
    "写道",
    "寫道",
    "kirjoitti",
    "написал",
    "написала",
    "написал(а)",
    "пише",
    "писал",
    "yazdı",
    "napsal",
    "napsala",
    "írta",
    "έγραψε",
    "がかきました",
    "は書きました",
    "escrigué",
    "skrifaði",
    "님이 작성",
]);

/// Verbs that may sit in the middle when the author's address follows them
/// ("Am 3. Mai 2024 schrieb Ana <ana@example.com>:").
static MIDDLE_CLOSERS: Phrases = Phrases::new(&[
    " schrieb ",
    " skrev ",
    " schreef ",
    " escribió ",
    " a écrit ",
    " wrote ",
]);

/// Someone-first attributions: "Ana <ana@example.com> schrieb am Fr., 28. Apr. 2017:".
static SOMEONE_WROTE_ON: Phrases = Phrases::new(&[
    " wrote on ",
    " schrieb am ",
    " a écrit le ",
    " escribió el ",
    " ezt írta (időpont:",
]);

/// Separators of a forwarded or original message, in the languages mail clients use.
static FORWARD_PHRASES: Phrases = Phrases::new(&[
    "original message",
    "forwarded message",
    "reply message",
    "forwarded email",
    "message transféré",
    "message d'origine",
    "message original",
    "ursprüngliche nachricht",
    "weitergeleitete nachricht",
    "originalnachricht",
    "mensaje original",
    "mensaje reenviado",
    "messaggio originale",
    "messaggio inoltrato",
    "mensagem original",
    "mensagem encaminhada",
    "oorspronkelijk bericht",
    "doorgestuurd bericht",
    "origineel bericht",
    "исходное сообщение",
    "пересылаемое сообщение",
    "переслано",
    "原始邮件",
    "原始郵件",
    "转发的邮件",
    "元のメッセージ",
    "転送されたメッセージ",
    "originalmeddelande",
    "vidarebefordrat meddelande",
    "opprinnelig melding",
    "videresendt melding",
    "wiadomość oryginalna",
    "wiadomość przekazana dalej",
    "alkuperäinen viesti",
]);

/// Lines that announce a forwarded message without dashes.
static FORWARD_LINES: Phrases = Phrases::new(&[
    "begin forwarded message",
    "début du message transféré",
    "début du message réexpédié",
    "anfang der weitergeleiteten nachricht",
    "inicio del mensaje reenviado",
    "inizio messaggio inoltrato",
    "início da mensagem reencaminhada",
    "begin doorgestuurd bericht",
]);

/// Whether `line` alone is an attribution or a forward separator.
pub(super) fn is_attribution(line: &str) -> bool {
    is_attribution_lower(&super::classify::lowered(line))
}

/// [`is_attribution`] of a line already in lower case (the classifier lowers each line once).
pub(super) fn is_attribution_lower(lower: &str) -> bool {
    let core =
        lower.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '>' | '-' | '*' | '_'));
    if core.is_empty() {
        return false;
    }
    is_forward_separator(lower, core) || is_dated_attribution(core) || posted_by(core)
}

/// Whether a line, in lower case, could be the first line of an attribution wrapped over
/// several lines: worth joining with the next ones and asking again.
pub(super) fn may_start_attribution_lower(lower: &str) -> bool {
    let core = lower.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '>' | '-'));
    if core.len() > 300 || ends_a_sentence(core) {
        return false;
    }
    (starts_with_opener(core) && has_digit(core)) || has_year(core) || SOMEONE_WROTE_ON.within(core)
}

/// Whether a continuation line begins another attribution, so joining must stop.
pub(super) fn starts_new_attribution(line: &str) -> bool {
    let lower = super::classify::lowered(line);
    let core = lower.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '>' | '-'));
    starts_with_opener(core) && has_digit(core)
}

/// A sentence end stops wrapping, except after a number or an abbreviation ("28.", "Apr.").
pub(super) fn ends_a_sentence(line: &str) -> bool {
    let line = line.trim_end();
    if line.ends_with(['!', '?']) {
        return true;
    }
    let Some(rest) = line.strip_suffix('.') else {
        return false;
    };
    let last_word = rest.rsplit(char::is_whitespace).next().unwrap_or("");
    !(last_word.chars().count() <= 4 || last_word.chars().all(|c| c.is_ascii_digit()))
}

fn is_forward_separator(line: &str, core: &str) -> bool {
    let dashed = line
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '>' | '*'))
        .starts_with("--");
    (dashed && FORWARD_PHRASES.starts(core)) || FORWARD_LINES.starts(core)
}

fn is_dated_attribution(core: &str) -> bool {
    let tail = core.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ':' | '：' | '>' | '-' | '*')
    });
    let ends_with_colon = core.trim_end().ends_with([':', '：']);
    let digit = has_digit(core);
    // Every form below has a digit (a date) or ends with a colon: most lines stop here.
    if !digit && !ends_with_colon {
        return false;
    }
    let ends_with_closer = CLOSERS.ending(tail).any(|c| ends_with_word(tail, c));
    if digit
        && starts_with_opener(core)
        && (ends_with_closer || (ends_with_colon && MIDDLE_CLOSERS.within(core)))
    {
        return true;
    }
    // A year is a digit, and without a colon only "… <address>" is left to try.
    let year = || digit && has_year(core);
    if !ends_with_colon {
        return ends_with_address(core) && year();
    }
    if ends_with_closer && year() {
        return true;
    }
    if ends_with_address(core) && year() {
        return true;
    }
    if digit && SOMEONE_WROTE_ON.within(core) {
        return true;
    }
    // "Ana <ana@example.com> wrote:", "ana via Parley wrote:"
    ends_with_closer
        && ["wrote", "schrieb", "a écrit", "escribió"]
            .iter()
            .any(|c| ends_with_word(tail, c))
        && (core.contains('@') || core.contains(" via "))
}

fn posted_by(core: &str) -> bool {
    core.starts_with("posted by ") && core.contains(" on ") && has_year(core)
}

fn starts_with_opener(core: &str) -> bool {
    // CJK openers are followed by the date directly; the others by a space.
    OPENERS.starting(core).any(|o| {
        !o.is_ascii() && o.chars().all(|c| c as u32 > 0x2E80)
            || core[o.len()..].starts_with(char::is_whitespace)
    })
}

fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|before| {
        before.is_empty()
            || !word.starts_with(char::is_alphanumeric)
            || before.ends_with(|c: char| !c.is_alphanumeric())
            || word.chars().next().is_some_and(|c| c as u32 > 0x2E80)
    })
}

/// Ends with an address in angle brackets and a colon: "Ana <ana@example.com>:".
pub(super) fn ends_with_address_and_colon(core: &str) -> bool {
    core.trim_end().ends_with([':', '：']) && ends_with_address(core)
}

/// Ends with an address in angle brackets, optionally followed by a colon:
/// "2013/7/20 sam via Parley <info@example.com>".
fn ends_with_address(core: &str) -> bool {
    let tail = core.trim_end().trim_end_matches([':', '：']).trim_end();
    let Some(inner) = tail.strip_suffix('>') else {
        return false;
    };
    let Some(open) = inner.rfind('<') else {
        return false;
    };
    let address = inner[open + 1..].trim();
    let address = address.strip_prefix("mailto:").unwrap_or(address);
    address.contains('@') && address.contains('.') && !address.contains(char::is_whitespace)
}

fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// A four-digit year from 1970 to 2099 standing on its own (a run of exactly four digits).
fn has_year(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &bytes[start..i];
        if run.len() == 4 && (run.starts_with(b"19") && run[2] >= b'7' || run.starts_with(b"20")) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_attributions_in_many_languages() {
        for line in [
            "On Mon, Feb 1, 2016 at 4:58 AM -0800, \"Some One\" <foo@bar.com> wrote:",
            "Le 2016-11-16 02:22, Erlend Sogge Heggen a écrit :",
            "Am 03.02.2016 3:35 nachm. schrieb Max Mustermann <noreply@example.org>:",
            "El jueves, 21 de noviembre de 2013, codinghorror escribió:",
            "Il giorno 12 mar 2024, alle ore 10:02, Ana ha scritto:",
            "> 在 2016年12月12日，下午8:45，Erlend <meta@example.com> 写道：",
            "23 mar 2017 21:25 \"Neil Lalonde\" <meta@example.com> napisał(a):",
            "-----Original Message-----",
            "---------- Forwarded message ---------",
            "-----Mensaje original-----",
            "Begin forwarded message:",
            "2013/7/20 sam via Discourse Meta <info@discourse.org>",
            "Den 15. jun. 2016 kl. 20.42 skrev Jeff <info@example.org>:",
            "Some One <someone@example.com> wrote:",
            "W dniu 1.12.2026 o 10:12, Kupujący pisze:",
            "2026년 12월 1일 (화) 오전 10:12, Buyer <xyz@example.com>님이 작성:",
            "Vevő <xyz@example.com> ezt írta (időpont: 2026. dec. 1., K, 10:12):",
            // Gmail in Arabic, with its direction marks around the name, address and colon.
            "\u{202b}في الثلاثاء، 1 ديسمبر 2026 10:12 ص، كتب \u{202a}Buyer\u{202c}\u{200f} <\u{202a}xyz@example.com\u{202c}\u{200f}>:\u{202c}",
        ] {
            assert!(is_attribution(line), "{line}");
        }
    }

    #[test]
    fn leaves_ordinary_sentences_alone() {
        for line in [
            "On this day",
            "On 5 May we shipped the pumps.",
            "I wrote something",
            "Le prix est de 2024 euros.",
            "At 10:30 we meet: bring the quote",
            "---",
            "Original message below is long",
        ] {
            assert!(!is_attribution(line), "{line}");
        }
    }
}
