//! Search over requests: the words a request is found by, and what a person typed to find it.
//!
//! Both are folded here, the same way (case, accents, ligatures; each Chinese or Japanese
//! character a word of its own, as those scripts put no spaces between words), so that
//! "Müller" finds "muller" on either database: each backend's full-text index then only splits
//! on spaces, whatever its own rules for accents would have been.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// At most this many words of a query are used (a search box, not a document).
pub const MAX_QUERY_WORDS: usize = 8;

/// A word longer than this is cut (no real name or reference is longer).
const MAX_TOKEN_CHARS: usize = 64;

/// `text` folded into lowercase words without accents, separated by single spaces.
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

fn fold_into(text: &str, out: &mut String) {
    let separate = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    let mut token_chars = 0;
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            separate(out);
            token_chars = 0;
            continue;
        }
        if is_ideographic(c) {
            separate(out);
            out.push(c);
            out.push(' ');
            token_chars = 0;
            continue;
        }
        if token_chars >= MAX_TOKEN_CHARS {
            continue;
        }
        token_chars += 1;
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Chinese characters, kana and hangul: scripts written without spaces between words.
fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // hiragana, katakana
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0x20000..=0x2FFFF)
}

/// The words a request is found by: the buyer's name, company and email address (its domain
/// as words too), the product's name and reference, and the request's text.
#[must_use]
pub fn request_words(
    buyer_name: &str,
    buyer_company: Option<&str>,
    buyer_email: &str,
    product_name: &str,
    product_reference: &str,
    message: &str,
) -> String {
    let mut words = String::new();
    for part in [
        buyer_name,
        buyer_company.unwrap_or(""),
        buyer_email,
        product_name,
        product_reference,
        message,
    ] {
        if !words.is_empty() {
            words.push(' ');
        }
        fold_into(part, &mut words);
    }
    // The address and its domains each as one word too: typed whole, they are found by one
    // lookup instead of a phrase whose last words ("com", "example") are in every request.
    let (_, domain) = buyer_email.rsplit_once('@').unwrap_or(("", buyer_email));
    let mut joined = vec![joined_word(buyer_email)];
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        joined.push(joined_word(rest));
        rest = parent;
    }
    for word in joined {
        words.push(' ');
        words.push_str(&word);
    }
    words
}

/// An address or domain as one folded word ("Jo.Muller@ex-ample.de" → "jomullerexampled").
fn joined_word(text: &str) -> String {
    fold(text).replace(' ', "")
}

/// Whether a typed word is an address or a domain (searched as one joined word): it has an
/// `@`, or a dot followed by a label of two letters or more ("muller.de", not "S.r.l.").
fn is_address(word: &str) -> bool {
    word.contains('@')
        || word.rsplit_once('.').is_some_and(|(head, tld)| {
            !head.is_empty() && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
        })
}

/// What a person typed in the search box, folded: every typed word must occur, and a word typed
/// with punctuation inside ("AB-1234") must occur as those words in a row; an email address or
/// a domain ("muller.de") must be the buyer's, or a domain of it. Words are matched whole: a
/// beginning ("mül") would match most requests' words on one backend's estimates and none on
/// another's (PostgreSQL plans a prefix as if it were common; measured in docs/PERFORMANCE.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    phrases: Vec<Vec<String>>,
}

impl SearchQuery {
    /// `None` when the text has no word in it.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let phrases: Vec<Vec<String>> = text
            .split_whitespace()
            .map(|word| {
                if is_address(word) {
                    vec![joined_word(word)]
                } else {
                    fold(word).split(' ').map(str::to_owned).collect::<Vec<_>>()
                }
            })
            .filter(|tokens| tokens.iter().any(|t| !t.is_empty()))
            .take(MAX_QUERY_WORDS)
            .collect();
        (!phrases.is_empty()).then_some(Self { phrases })
    }

    /// Each typed word as the folded words it must match in a row.
    #[must_use]
    pub fn phrases(&self) -> &[Vec<String>] {
        &self.phrases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(
            fold("Jürgen MÜLLER-Lüdenscheidt"),
            "jurgen muller ludenscheidt"
        );
        assert_eq!(fold("Straße Œuvre Søren Łódź"), "strasse oeuvre soren lodz");
        assert_eq!(fold("  j.muller@Example.COM "), "j muller example com");
        assert_eq!(fold("ＡＢ－１２３４"), "ab 1234");
        assert_eq!(fold("«»—!?"), "");
    }

    #[test]
    fn chinese_and_japanese_characters_are_words_of_their_own() {
        assert_eq!(fold("見積もり依頼"), "見 積 も り 依 頼");
        assert_eq!(fold("ABC株式会社"), "abc 株 式 会 社");
    }

    #[test]
    fn long_runs_are_cut_so_a_document_stays_bounded() {
        let long = "a".repeat(500);
        assert_eq!(fold(&long).len(), MAX_TOKEN_CHARS);
    }

    #[test]
    fn a_request_is_found_by_its_buyer_product_and_text() {
        let words = request_words(
            "Zoë Müller",
            Some("Bäckerei GmbH"),
            "zoe@baeckerei.de",
            "Pompe à chaleur",
            "PAC-12",
            "Bonjour, quel délai ?",
        );
        assert_eq!(
            words,
            "zoe muller backerei gmbh zoe baeckerei de pompe a chaleur pac 12 bonjour quel delai \
             zoebaeckereide baeckereide"
        );
    }

    #[test]
    fn queries_keep_punctuated_words_together_and_drop_empty_ones() {
        let query = SearchQuery::parse(" Müller  baeckerei.de -- S.r.l. PAC-12 ").expect("words");
        assert_eq!(
            query.phrases(),
            [
                vec!["muller".to_owned()],
                vec!["baeckereide".to_owned()],
                vec!["s".to_owned(), "r".to_owned(), "l".to_owned()],
                vec!["pac".to_owned(), "12".to_owned()],
            ]
        );
        assert_eq!(
            SearchQuery::parse("Zoe@Baeckerei.de")
                .expect("address")
                .phrases(),
            [vec!["zoebaeckereide".to_owned()]]
        );
        assert!(SearchQuery::parse(" -- ?? ").is_none());
        let many = "a b c d e f g h i j k";
        assert_eq!(
            SearchQuery::parse(many).expect("words").phrases().len(),
            MAX_QUERY_WORDS
        );
    }
}
