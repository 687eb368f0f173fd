//! Lists of phrases the trimmer looks for at the start, the end or inside every line, with
//! tables of the bytes they start and end with: a line that no phrase can start (or end) is
//! settled by two table lookups instead of a comparison per phrase, and a phrase is compared
//! only once its first (or last) byte matched. Most lines of an email are plain text that
//! matches nothing, so this is where the trimmer's time went.

pub(super) struct Phrases {
    pub(super) list: &'static [&'static str],
    first: [bool; 256],
    /// The bytes phrases have second (every byte, when a phrase has only one).
    second: [bool; 256],
    last: [bool; 256],
    /// The bytes phrases have before their last (every byte, when a phrase has only one).
    before_last: [bool; 256],
    /// The first byte of every phrase, when they all have the same (" wrote on ", …).
    shared_first: Option<u8>,
}

impl Phrases {
    /// The tables of `list`; no phrase may be empty (an empty phrase matches every line).
    pub(super) const fn new(list: &'static [&'static str]) -> Self {
        let mut first = [false; 256];
        let mut second = [false; 256];
        let mut last = [false; 256];
        let mut before_last = [false; 256];
        let mut shared_first = Some(list[0].as_bytes()[0]);
        let mut i = 0;
        while i < list.len() {
            let bytes = list[i].as_bytes();
            let n = bytes.len();
            assert!(n > 0, "an empty phrase matches every line");
            first[bytes[0] as usize] = true;
            if let Some(b) = shared_first
                && b != bytes[0]
            {
                shared_first = None;
            }
            last[bytes[n - 1] as usize] = true;
            if n == 1 {
                second = [true; 256];
                before_last = [true; 256];
            } else {
                second[bytes[1] as usize] = true;
                before_last[bytes[n - 2] as usize] = true;
            }
            i += 1;
        }
        Self {
            list,
            first,
            second,
            last,
            before_last,
            shared_first,
        }
    }

    /// Whether some phrase may start `text` (false means none does).
    fn may_start(&self, bytes: &[u8]) -> bool {
        bytes.first().is_some_and(|&b| self.first[usize::from(b)])
            && bytes.get(1).is_none_or(|&b| self.second[usize::from(b)])
    }

    /// The phrases that may end `text`: those whose last byte is its last byte, and none
    /// at all when no phrase ends with its last two bytes.
    pub(super) fn ending(&self, text: &str) -> impl Iterator<Item = &'static str> {
        let bytes = text.as_bytes();
        let last = bytes.last().copied();
        let possible = last.is_some_and(|b| self.last[usize::from(b)])
            && (bytes.len() < 2 || self.before_last[usize::from(bytes[bytes.len() - 2])]);
        self.list
            .iter()
            .copied()
            .filter(move |p| possible && p.as_bytes().last().copied() == last)
    }

    /// The phrases `text` starts with.
    pub(super) fn starting(&self, text: &str) -> impl Iterator<Item = &'static str> {
        let bytes = text.as_bytes();
        let possible = self.may_start(bytes);
        self.list
            .iter()
            .copied()
            .filter(move |p| possible && bytes.starts_with(p.as_bytes()))
    }

    /// Whether `text` starts with one of the phrases.
    pub(super) fn starts(&self, text: &str) -> bool {
        self.starting(text).next().is_some()
    }

    /// Whether `text` contains one of the phrases.
    pub(super) fn within(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let at = |i: usize| {
            self.may_start(&bytes[i..])
                && self
                    .list
                    .iter()
                    .any(|p| p.as_bytes()[0] == bytes[i] && bytes[i..].starts_with(p.as_bytes()))
        };
        if let Some(first) = self.shared_first {
            return memchr::memchr_iter(first, bytes).any(at);
        }
        (0..bytes.len()).any(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static WORDS: Phrases = Phrases::new(&["wrote", " schrieb am ", "写道"]);
    static LETTER: Phrases = Phrases::new(&["a"]);

    #[test]
    fn finds_phrases_at_the_start_the_end_and_within() {
        assert!(WORDS.starts("wrote this"));
        assert!(WORDS.starts("写道："));
        assert!(LETTER.starts("a"));
        assert!(LETTER.within("ba"));
        assert_eq!(LETTER.ending("ba").count(), 1);
        assert!(!WORDS.starts("he wrote"));
        assert!(!WORDS.starts(""));
        assert_eq!(WORDS.ending("he wrote").collect::<Vec<_>>(), ["wrote"]);
        assert_eq!(WORDS.ending("他写道").collect::<Vec<_>>(), ["写道"]);
        assert_eq!(WORDS.ending("he wrote:").count(), 0);
        assert_eq!(WORDS.ending("").count(), 0);
        assert!(WORDS.within("Ana schrieb am 3. Mai"));
        assert!(!WORDS.within("Ana schrieb: am 3. Mai"));
        assert!(!WORDS.within(""));
        static SPACED: Phrases = Phrases::new(&[" wrote on ", " schrieb am "]);
        assert!(SPACED.within("Ana schrieb am 3. Mai"));
        assert!(SPACED.within("x wrote on "));
        assert!(!SPACED.within("Ana schrieb: am 3. Mai wrote"));
    }
}
