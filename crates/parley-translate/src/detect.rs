//! Which of the 9 languages a message is written in: `whatlang`, restricted to them, trusted
//! only when it is sure; otherwise the author's profile language.

use parley_domain::LanguageCode;
use whatlang::{Detector, Lang};

const LANGS: [(Lang, LanguageCode); 9] = [
    (Lang::Fra, LanguageCode::Fr),
    (Lang::Eng, LanguageCode::En),
    (Lang::Deu, LanguageCode::De),
    (Lang::Spa, LanguageCode::Es),
    (Lang::Ita, LanguageCode::It),
    (Lang::Por, LanguageCode::Pt),
    (Lang::Rus, LanguageCode::Ru),
    (Lang::Cmn, LanguageCode::Zh),
    (Lang::Jpn, LanguageCode::Ja),
];

fn code_of(lang: Lang) -> Option<LanguageCode> {
    LANGS
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, code)| *code)
}

fn lang_of(code: LanguageCode) -> Lang {
    LANGS
        .iter()
        .find(|(_, c)| *c == code)
        .map_or(Lang::Eng, |(lang, _)| *lang)
}

/// The language of `text`, or `fallback` (the author's profile language) when unsure. Close
/// relatives (Spanish, Italian, Portuguese) often leave whatlang unsure among the nine; then
/// the text only has to be clearly the detected language rather than the fallback.
#[must_use]
pub fn detect(text: &str, fallback: LanguageCode) -> LanguageCode {
    let text = sample(text);
    let all = Detector::with_allowlist(LANGS.iter().map(|(lang, _)| *lang).collect());
    let Some(info) = all.detect(text) else {
        return fallback;
    };
    let Some(found) = code_of(info.lang()) else {
        return fallback;
    };
    if found == fallback || info.is_reliable() {
        return found;
    }
    let duel = Detector::with_allowlist(vec![info.lang(), lang_of(fallback)]);
    match duel.detect(text) {
        Some(second) if second.lang() == info.lang() && second.is_reliable() => found,
        _ => fallback,
    }
}

/// How much of a text is looked at. whatlang's answer settles within a few hundred
/// characters, and its cost grows with the input: on 5 KB emailed replies, detecting on the
/// whole body was a tenth of the relay's CPU (perf, `bench/smtp.sh`).
const SAMPLE_BYTES: usize = 512;

/// The start of `text`, at most [`SAMPLE_BYTES`], cut on a character boundary.
fn sample(text: &str) -> &str {
    if text.len() <= SAMPLE_BYTES {
        return text;
    }
    let mut end = SAMPLE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_nine_languages_and_falls_back_when_unsure() {
        let cases = [
            (
                "Bonjour, pourriez-vous m'envoyer un devis pour deux pompes et le délai de livraison ?",
                LanguageCode::Fr,
            ),
            (
                "Hello, could you quote two units with delivery to Leeds, and the warranty terms?",
                LanguageCode::En,
            ),
            (
                "Guten Tag, können Sie mir ein Angebot für zwei Pumpen mit Lieferung nach München schicken?",
                LanguageCode::De,
            ),
            (
                "Hola, necesito un presupuesto para tres bombas y el plazo de entrega a Sevilla.",
                LanguageCode::Es,
            ),
            (
                "Buongiorno, potreste inviarmi un preventivo per due pompe con consegna a Milano?",
                LanguageCode::It,
            ),
            (
                "Olá, podem enviar-me um orçamento para duas bombas com entrega em Lisboa, por favor?",
                LanguageCode::Pt,
            ),
            (
                "Здравствуйте, пришлите, пожалуйста, коммерческое предложение на два насоса с доставкой в Москву.",
                LanguageCode::Ru,
            ),
            (
                "你好，请给我两台水泵的报价，并告诉我交货时间。",
                LanguageCode::Zh,
            ),
            (
                "こんにちは、ポンプ二台の見積もりと納期を教えていただけますか。",
                LanguageCode::Ja,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text, LanguageCode::En), expected, "{text}");
        }
        assert_eq!(detect("OK", LanguageCode::De), LanguageCode::De);
        assert_eq!(detect("", LanguageCode::It), LanguageCode::It);
    }

    #[test]
    fn long_texts_are_judged_on_their_start_cut_between_characters() {
        let russian = "Здравствуйте, пришлите, пожалуйста, предложение. ".repeat(200);
        let sampled = sample(&russian);
        assert!(sampled.len() <= SAMPLE_BYTES && sampled.len() > SAMPLE_BYTES - 4);
        assert!(russian.starts_with(sampled));
        assert_eq!(detect(&russian, LanguageCode::En), LanguageCode::Ru);
        assert_eq!(sample("court"), "court");
    }
}
