//! Which of the 9 languages a message is written in: `whatlang`, restricted to them, trusted
//! only when it is sure; otherwise the author's profile language.

mod latin;
mod latin_profiles;

use parley_domain::LanguageCode;
use whatlang::{Detector, Lang, Script};

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
///
/// Latin-script text (six of the nine languages) is scored once for both questions (see
/// `latin`); other scripts go to whatlang, which settles them by script at little cost.
#[must_use]
pub fn detect(text: &str, fallback: LanguageCode) -> LanguageCode {
    let text = sample(text);
    if whatlang::detect_script(text) == Some(Script::Latin) {
        return latin::detect(text, fallback);
    }
    detect_with_whatlang(text, fallback)
}

/// [`detect`] through whatlang's own detections: the nine languages, then when unsure a duel
/// of the detected language and the fallback.
fn detect_with_whatlang(text: &str, fallback: LanguageCode) -> LanguageCode {
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

    /// Texts in many languages, whole and cut into windows of several sizes: the fixture
    /// emails (ten languages), the interface's messages, and degenerate text.
    fn corpus() -> Vec<String> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut sources: Vec<String> = Vec::new();
        let emails = format!("{root}/parley-mail/tests/fixtures/email-replies/emails");
        for entry in std::fs::read_dir(&emails).expect("fixture emails") {
            sources.push(std::fs::read_to_string(entry.expect("entry").path()).expect("email"));
        }
        for locale in ["en", "fr"] {
            let path = format!("{root}/parley-app/locales/{locale}/parley.ftl");
            sources.push(std::fs::read_to_string(path).expect("locale"));
        }
        sources.push(
            (1..70)
                .map(|i| format!("{i}{}\n", "X".repeat(78)))
                .collect(),
        );
        sources.push("Ça va très bien, merci ! À BIENTÔT".to_owned());
        sources.push("Straße über Bäume; niño, señor; coração, pão; perché così".to_owned());
        let mut texts = Vec::new();
        for source in &sources {
            texts.push(source.clone());
            for size in [24, 60, 150, 400, 512] {
                let starts = (0..source.len())
                    .step_by(size.max(97))
                    .filter(|&i| source.is_char_boundary(i));
                for start in starts {
                    let mut end = (start + size).min(source.len());
                    while !source.is_char_boundary(end) {
                        end -= 1;
                    }
                    texts.push(source[start..end].to_owned());
                }
            }
        }
        texts
    }

    #[test]
    fn the_one_pass_latin_detector_answers_as_whatlang_twice() {
        let (mut compared, mut tied) = (0, 0);
        for text in corpus() {
            let text = sample(&text);
            if whatlang::detect_script(text) != Some(Script::Latin) {
                continue;
            }
            if latin::best_is_tied(text) {
                // whatlang's pick among equals is arbitrary; the author's language is kept.
                for (_, fallback) in LANGS {
                    assert_eq!(latin::detect(text, fallback), fallback, "{text:?}");
                }
                tied += 1;
                continue;
            }
            // The same best language and the same confidence as whatlang's own detection
            // (so the same scores, not only the same final answers).
            let all = Detector::with_allowlist(LANGS.iter().map(|(lang, _)| *lang).collect());
            let theirs = all.detect(text).expect("a Latin text is detected");
            let (ours, confidence) = latin::best(text);
            assert_eq!(Some(ours), code_of(theirs.lang()), "{text:?}");
            assert!((confidence - theirs.confidence()).abs() < 1e-9, "{text:?}");
            for (_, fallback) in LANGS {
                assert_eq!(
                    latin::detect(text, fallback),
                    detect_with_whatlang(text, fallback),
                    "fallback {fallback:?}: {text:?}"
                );
                compared += 1;
            }
        }
        // Ties come from fragments with one or two letters (">>> d!"), a few in a hundred.
        assert!(
            compared > 5_000 && tied * 9 * 5 < compared,
            "{compared} compared, {tied} tied"
        );
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
