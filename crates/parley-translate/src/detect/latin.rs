//! whatlang's combined method (alphabet + trigrams) for the six Latin-script languages, in
//! one pass that serves both questions `detect` asks.
//!
//! Each language's whatlang score depends on the text alone, not on which other languages are
//! allowed: the alphabet score is the share of letters in the language's alphabet, the trigram
//! score the distance between the text's trigram ranking and the language's profile, both
//! normalised by the text. So the nine-language pass and the duel against the author's
//! language (which whatlang runs as two detections, each extracting the text's trigrams
//! again, 44–53 µs a reply) read the same six scores, computed here once.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use parley_domain::LanguageCode;

use super::latin_profiles;

/// The languages, their alphabets (whatlang's, lower case) and trigram profiles.
const LANGUAGES: [(LanguageCode, &str, &str); 6] = [
    (
        LanguageCode::Fr,
        "abcdefghijklmnopqrstuvwxyzàâçèéêëîïôùûüÿœ",
        latin_profiles::FRA,
    ),
    (
        LanguageCode::En,
        "abcdefghijklmnopqrstuvwxyz",
        latin_profiles::ENG,
    ),
    (
        LanguageCode::De,
        "abcdefghijklmnopqrstuvwxyzßäöü",
        latin_profiles::DEU,
    ),
    (
        LanguageCode::Es,
        "abcdefghijklmnopqrstuvwxyz¡¿áéíñóúü",
        latin_profiles::SPA,
    ),
    (
        LanguageCode::It,
        "abcdefghijklmnopqrstuvwxyzàèéìòù",
        latin_profiles::ITA,
    ),
    (
        LanguageCode::Pt,
        "abcdefghijklmnopqrstuvwxyzàáâãçéêíóôõú",
        latin_profiles::POR,
    ),
];

/// whatlang's constants: a trigram's largest distance, the text trigrams ranked.
const MAX_TRIGRAM_DISTANCE: u32 = 300;
const MAX_TOTAL_DISTANCE: u32 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
const TEXT_TRIGRAMS: usize = 600;
/// Above this confidence whatlang calls an answer reliable.
const RELIABLE: f64 = 0.9;

/// A trigram packed in 63 bits (21 per character).
type Trigram = u64;

fn trigram(a: char, b: char, c: char) -> Trigram {
    (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c)
}

/// Where each trigram of any profile stands in each language's (`u16::MAX`: not in it).
type Positions = HashMap<Trigram, [u16; 6], BuildHasherDefault<Fx>>;

static PROFILES: LazyLock<Positions> = LazyLock::new(|| {
    let mut positions = Positions::default();
    for (language, (_, _, profile)) in LANGUAGES.iter().enumerate() {
        let chars: Vec<char> = profile.chars().collect();
        for (position, t) in (0u16..).zip(chars.chunks(3)) {
            positions
                .entry(trigram(t[0], t[1], t[2]))
                .or_insert([u16::MAX; 6])[language] = position;
        }
    }
    positions
});

/// Space, ASCII punctuation or digit: whatlang's characters that say nothing of a language.
fn is_stop_char(ch: char) -> bool {
    matches!(ch, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// The six scores of a text, and how many distinct trigrams it has.
struct Scores {
    by_language: [f64; 6],
    distinct_trigrams: usize,
}

/// A text's six scores, and which two are highest.
struct Ranking {
    scores: Scores,
    best: usize,
    best_score: f64,
    second_score: f64,
}

impl Ranking {
    fn of(text: &str) -> Self {
        let scores = scores(&text.to_lowercase());
        let mut order: Vec<(usize, f64)> = scores.by_language.iter().copied().enumerate().collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        Self {
            best: order[0].0,
            best_score: order[0].1,
            second_score: order[1].1,
            scores,
        }
    }

    /// Whether the best score is shared by several languages.
    fn is_tied(&self) -> bool {
        self.second_score == self.best_score
    }

    /// whatlang's confidence in the best language against `other_score`.
    fn confidence_over(&self, other_score: f64) -> f64 {
        confidence(self.best_score, other_score, self.scores.distinct_trigrams)
    }
}

/// The language of a Latin-script `text` (already sampled), as the whatlang-based path
/// answers it: the best of the six when whatlang would call it reliable or it is the
/// author's `fallback`; otherwise the best only when it clearly beats the fallback.
pub(super) fn detect(text: &str, fallback: LanguageCode) -> LanguageCode {
    let ranking = Ranking::of(text);
    if ranking.is_tied() {
        // The text cannot tell its best languages apart (a word, a signature, "XXXX"):
        // whatlang would pick one of them arbitrarily; the author's language is the better
        // guess.
        return fallback;
    }
    let found = LANGUAGES[ranking.best].0;
    if found == fallback || ranking.confidence_over(ranking.second_score) > RELIABLE {
        return found;
    }
    // The duel: only the best and the fallback. A fallback outside the Latin script has no
    // score here, and whatlang then answers the best alone, with full confidence.
    let Some(theirs) = LANGUAGES.iter().position(|(code, _, _)| *code == fallback) else {
        return found;
    };
    let fallback_score = ranking.scores.by_language[theirs];
    if ranking.best_score > fallback_score && ranking.confidence_over(fallback_score) > RELIABLE {
        found
    } else {
        fallback
    }
}

/// Whether the best score of `text` is shared by several languages.
#[cfg(test)]
pub(super) fn best_is_tied(text: &str) -> bool {
    Ranking::of(text).is_tied()
}

/// The best of the six for `text` and whatlang's confidence in it, as its nine-language
/// detection reports them.
#[cfg(test)]
pub(super) fn best(text: &str) -> (LanguageCode, f64) {
    let ranking = Ranking::of(text);
    let confidence = ranking.confidence_over(ranking.second_score);
    (LANGUAGES[ranking.best].0, confidence)
}

/// whatlang's confidence that the highest score is right rather than the second.
fn confidence(highest: f64, second: f64, count: usize) -> f64 {
    if highest == 0.0 {
        return 0.0;
    }
    if second == 0.0 {
        return highest;
    }
    #[allow(clippy::cast_precision_loss)] // a count of trigrams in 512 bytes
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest - second) / second;
    if rate > confident_rate {
        1.0
    } else {
        rate / confident_rate
    }
}

#[allow(clippy::cast_precision_loss)] // counts of characters and trigrams in 512 bytes
fn scores(lowercase: &str) -> Scores {
    // Alphabet: twice the letters in the language's alphabet, less all letters, over all.
    let mut letters = 0usize;
    let mut in_alphabet = [0usize; 6];
    for ch in lowercase.chars().filter(|&ch| !is_stop_char(ch)) {
        letters += 1;
        for (count, (_, alphabet, _)) in in_alphabet.iter_mut().zip(LANGUAGES.iter()) {
            if ch.is_ascii_lowercase() || alphabet.contains(ch) {
                *count += 1;
            }
        }
    }
    // Trigrams: the text's ranked by occurrences, then each profile's distance to them.
    let ranked = ranked_trigrams(lowercase);
    let distances = distances(&ranked);
    let distinct = ranked.len();
    let max_distance = distinct as u32 * MAX_TRIGRAM_DISTANCE;
    let alphabet_weight = (-(letters as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
    let mut by_language = [0.0; 6];
    for (index, score) in by_language.iter_mut().enumerate() {
        let alphabet = (2 * in_alphabet[index]).saturating_sub(letters) as f64 / letters as f64;
        let trigrams = f64::from(max_distance - distances[index]) / f64::from(max_distance);
        *score = alphabet * alphabet_weight + trigrams * (1.0 - alphabet_weight);
    }
    Scores {
        by_language,
        distinct_trigrams: distinct,
    }
}

/// The text's trigrams (stop characters read as spaces, a space around the text), most
/// frequent first, ties broken by the trigram, descending; the first 600 only.
fn ranked_trigrams(lowercase: &str) -> Vec<Trigram> {
    let mut counts: HashMap<Trigram, u32, BuildHasherDefault<Fx>> =
        HashMap::with_capacity_and_hasher(lowercase.len(), BuildHasherDefault::default());
    let mut chars = lowercase
        .chars()
        .map(|ch| if is_stop_char(ch) { ' ' } else { ch })
        .chain(Some(' '));
    let (mut c1, mut c2) = (' ', chars.next().unwrap_or(' '));
    for c3 in chars {
        if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
            *counts.entry(trigram(c1, c2, c3)).or_insert(0) += 1;
        }
        c1 = c2;
        c2 = c3;
    }
    // Packing keeps the order of (char, char, char), which whatlang's ties follow.
    let mut ordered: Vec<(u32, Trigram)> = counts.into_iter().map(|(t, n)| (n, t)).collect();
    ordered.sort_unstable_by(|a, b| b.cmp(a));
    ordered.truncate(TEXT_TRIGRAMS);
    ordered.into_iter().map(|(_, t)| t).collect()
}

/// whatlang's distance between each profile and the text's ranking: for each of the
/// profile's 300 trigrams, how far its rank in the text is from its rank in the profile
/// (which may exceed 300: the text ranks 600), 300 when the text lacks it. Read from the
/// text's side: 300 each, corrected for each trigram the text shares with the profile.
fn distances(ranked: &[Trigram]) -> [u32; 6] {
    let mut shared = [0i64; 6];
    for (rank, trigram) in (0i64..).zip(ranked) {
        let Some(positions) = PROFILES.get(trigram) else {
            continue;
        };
        for (shared, &position) in shared.iter_mut().zip(positions) {
            if position != u16::MAX {
                *shared += (rank - i64::from(position)).abs() - i64::from(MAX_TRIGRAM_DISTANCE);
            }
        }
    }
    let count = i64::try_from(ranked.len()).unwrap_or(i64::MAX);
    let (max_one, max_total) = (
        i64::from(MAX_TRIGRAM_DISTANCE),
        i64::from(MAX_TOTAL_DISTANCE),
    );
    shared.map(|shared| {
        let mut total = max_total + shared;
        if max_one > count {
            total -= (max_one - count) * max_one;
        }
        u32::try_from(total.clamp(0, max_total)).unwrap_or(MAX_TOTAL_DISTANCE)
    })
}

/// A multiply-rotate hash for the packed trigrams (SipHash's resistance is not needed on
/// 512 bytes of one email, and it costs more than the lookup).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
