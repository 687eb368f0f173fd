//! Long lines in outbound mail: a line of text may hold at most 998 bytes on the wire (RFC 5322
//! section 2.1.1), and mail readers show kilometre-long lines badly. Lines longer than a
//! paragraph a person writes are wrapped at spaces; a "word" longer than the wire allows is cut.

use std::borrow::Cow;

/// Lines longer than this are wrapped.
const LONG: usize = 200;
/// Wrapped lines are at most this wide (characters), where spaces allow.
const WIDTH: usize = 78;
/// No piece of a line is ever longer than this (bytes).
const WIRE: usize = 998;

/// `text` with its long lines wrapped; unchanged (borrowed) when none is long.
#[must_use]
pub fn wrap_long_lines(text: &str) -> Cow<'_, str> {
    if text.lines().all(|line| line.chars().count() <= LONG) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / WIDTH);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if line.chars().count() <= LONG {
            out.push_str(line);
            continue;
        }
        let mut width = 0;
        for (w, word) in line.split(' ').enumerate() {
            let chars = word.chars().count();
            if w > 0 {
                if width > 0 && width + 1 + chars > WIDTH {
                    out.push('\n');
                    width = 0;
                } else {
                    out.push(' ');
                    width += 1;
                }
            }
            width += push_cut(&mut out, word);
        }
    }
    Cow::Owned(out)
}

/// Pushes `word`, cut into pieces of at most [`WIRE`] bytes; returns the last piece's width.
fn push_cut(out: &mut String, word: &str) -> usize {
    let mut rest = word;
    while rest.len() > WIRE {
        let mut cut = WIRE;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push('\n');
        rest = &rest[cut..];
    }
    out.push_str(rest);
    rest.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched_and_long_lines_are_wrapped() {
        assert!(matches!(wrap_long_lines("Hello\nworld"), Cow::Borrowed(_)));
        let long = "word ".repeat(100);
        let wrapped = wrap_long_lines(&long);
        assert!(wrapped.lines().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(wrapped.split_whitespace().count(), 100);
        let blob = "é".repeat(3000);
        let cut = wrap_long_lines(&blob);
        assert!(cut.lines().all(|l| l.len() <= WIRE));
        assert_eq!(cut.replace('\n', ""), blob);
    }
}
