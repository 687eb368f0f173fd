//! Short texts people type that Parley later writes into mail headers, page titles, URLs and
//! logs: names, companies, phone numbers, product names, references, subjects.
//!
//! A control character in one of these is never meant: a line break in a name becomes a new
//! mail header (`Bcc: victim@…`), a right-to-left override (U+202E) makes a name read backwards.
//! They are refused where the text enters (an API field, a form), so nothing downstream has to
//! guess; [`clean_line`] is for text nobody can be asked again about (a display name in an
//! inbound email).

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("this field is required")]
    Empty,
    #[error("this field holds a control character (a line break, a tab, an invisible sign)")]
    ControlCharacter,
    #[error("this field is longer than {0} characters")]
    TooLong(usize),
}

impl TextError {
    /// The stable code API clients match on.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::ControlCharacter => "control_character",
            Self::TooLong(_) => "too_long",
        }
    }
}

/// The longest name, company or product name accepted.
pub const NAME_MAX_CHARS: usize = 200;

/// Whether `c` may not appear in a one-line text: C0 and C1 controls (line breaks and tabs
/// included), DEL, the Unicode line and paragraph separators, and the bidirectional
/// embeddings, overrides and isolates that reorder what a reader sees.
#[must_use]
pub fn is_forbidden_in_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// A one-line text: trimmed, without control characters, at most `max_chars` characters.
/// Empty is an error (use [`optional_line`] for optional fields).
pub fn one_line(input: &str, max_chars: usize) -> Result<String, TextError> {
    optional_line(input, max_chars)?.ok_or(TextError::Empty)
}

/// Like [`one_line`], but an empty or blank text is `None`.
pub fn optional_line(input: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().any(is_forbidden_in_line) {
        return Err(TextError::ControlCharacter);
    }
    if text.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    Ok(Some(text.to_owned()))
}

/// `input` with every forbidden character replaced by a space, runs of spaces folded and the
/// ends trimmed: for text that came from elsewhere and must still be shown or written in a
/// header (a display name in a received email, a stored value from before the rule).
#[must_use]
pub fn clean_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        let c = if is_forbidden_in_line(c) || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_break_in_a_name_is_refused() {
        assert_eq!(
            one_line("Evil\"\r\nBcc: victim@x.example", 200),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(one_line("a\tb", 200), Err(TextError::ControlCharacter));
        assert_eq!(one_line("a\u{0}b", 200), Err(TextError::ControlCharacter));
        assert_eq!(one_line("a\u{85}b", 200), Err(TextError::ControlCharacter));
        assert_eq!(
            one_line("a\u{2028}b", 200),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            one_line("Ltd\u{202E}fdp.exe", 200),
            Err(TextError::ControlCharacter)
        );
    }

    #[test]
    fn ordinary_names_pass_trimmed() {
        assert_eq!(
            one_line("  Élodie Fabre  ", 200).as_deref(),
            Ok("Élodie Fabre")
        );
        assert_eq!(
            one_line("O'Brien & Söhne \"GmbH\"", 200).as_deref(),
            Ok("O'Brien & Söhne \"GmbH\"")
        );
        assert_eq!(one_line("山田太郎", 200).as_deref(), Ok("山田太郎"));
        assert_eq!(optional_line("   ", 200), Ok(None));
        assert_eq!(one_line(" ", 200), Err(TextError::Empty));
        assert_eq!(
            one_line(&"é".repeat(201), 200),
            Err(TextError::TooLong(200))
        );
    }

    #[test]
    fn cleaning_folds_controls_into_spaces() {
        assert_eq!(clean_line("Evil\"\r\nBcc: x@y"), "Evil\" Bcc: x@y");
        assert_eq!(clean_line("\t a\u{202E}b \u{0}"), "a b");
        assert_eq!(clean_line("Claire Martin"), "Claire Martin");
    }
}
