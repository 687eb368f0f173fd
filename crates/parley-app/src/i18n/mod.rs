//! Parley's words in the nine languages of the guide: one set of Fluent files (`locales/`,
//! pages in `parley.ftl`, emails in `mail.ftl`), read by the web pages and by the emails the
//! app writes. Every file has exactly English's keys (a test compares them), so a lookup
//! never falls back to English in practice; should it, English is the fallback.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use parley_domain::LanguageCode;

mod formats;
pub use formats::Zone;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: our arguments are names and numbers,
        // and marks would reach email subjects as invisible characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The words of one language.
#[derive(Debug, Clone)]
pub struct Words {
    lang: LanguageIdentifier,
    code: &'static str,
}

impl Words {
    /// The words of a language code (`en`, `fr`, …); English for an unknown code.
    #[must_use]
    pub fn new(code: &str) -> Self {
        let code = LanguageCode::parse(code).map_or("en", LanguageCode::code);
        Self {
            lang: code.parse().unwrap_or_default(),
            code,
        }
    }

    /// The language's code (`en`, `fr`, …).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The words of `language`.
    #[must_use]
    pub fn of(language: LanguageCode) -> Self {
        Self::new(language.code())
    }

    /// The text of `key`.
    #[must_use]
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.lang, key)
    }

    /// The text of `key` with its arguments.
    #[must_use]
    pub fn with(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        LOCALES.lookup_with_args(&self.lang, key, &arguments(args))
    }

    /// The text of `key` with its arguments, or `None` when no language has the key.
    #[must_use]
    pub fn try_with(&self, key: &str, args: &[(&'static str, &str)]) -> Option<String> {
        LOCALES.try_lookup_with_args(&self.lang, key, &arguments(args))
    }
}

fn arguments(args: &[(&'static str, &str)]) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from((*value).to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every locale's files, by language code: (pages, emails).
    const FILES: [(&str, &str, &str); 9] = [
        (
            "en",
            include_str!("../../locales/en/parley.ftl"),
            include_str!("../../locales/en/mail.ftl"),
        ),
        (
            "fr",
            include_str!("../../locales/fr/parley.ftl"),
            include_str!("../../locales/fr/mail.ftl"),
        ),
        (
            "de",
            include_str!("../../locales/de/parley.ftl"),
            include_str!("../../locales/de/mail.ftl"),
        ),
        (
            "es",
            include_str!("../../locales/es/parley.ftl"),
            include_str!("../../locales/es/mail.ftl"),
        ),
        (
            "it",
            include_str!("../../locales/it/parley.ftl"),
            include_str!("../../locales/it/mail.ftl"),
        ),
        (
            "pt",
            include_str!("../../locales/pt/parley.ftl"),
            include_str!("../../locales/pt/mail.ftl"),
        ),
        (
            "ru",
            include_str!("../../locales/ru/parley.ftl"),
            include_str!("../../locales/ru/mail.ftl"),
        ),
        (
            "zh",
            include_str!("../../locales/zh/parley.ftl"),
            include_str!("../../locales/zh/mail.ftl"),
        ),
        (
            "ja",
            include_str!("../../locales/ja/parley.ftl"),
            include_str!("../../locales/ja/mail.ftl"),
        ),
    ];

    fn keys_and_values(ftl: &str) -> Vec<(&str, &str)> {
        ftl.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim(), v.trim())))
            .collect()
    }

    /// The words of a value, its `{ $placeables }` aside (`{ $hours } h { $minutes } min` is
    /// two words, the same in several languages).
    fn words_of(value: &str) -> usize {
        let mut outside = String::new();
        let mut depth = 0;
        for c in value.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        outside.split_whitespace().count()
    }

    fn files(index: usize) -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
        FILES.into_iter().map(move |(code, pages, mail)| {
            (
                code,
                if index == 0 { "parley.ftl" } else { "mail.ftl" },
                if index == 0 { pages } else { mail },
            )
        })
    }

    #[test]
    fn every_locale_has_every_key() {
        // Compared file to file: a lookup would fall back to English and hide a gap.
        for index in 0..2 {
            let english: Vec<&str> = files(index)
                .next()
                .map(|(_, _, file)| keys_and_values(file).into_iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            for (code, name, file) in files(index) {
                let theirs: Vec<&str> = keys_and_values(file).into_iter().map(|(k, _)| k).collect();
                let missing: Vec<&&str> = english.iter().filter(|k| !theirs.contains(k)).collect();
                let extra: Vec<&&str> = theirs.iter().filter(|k| !english.contains(k)).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "locales/{code}/{name}: missing {missing:?}, unknown {extra:?}"
                );
            }
        }
        assert_eq!(FILES.len(), LanguageCode::ALL.len());
        for language in LanguageCode::ALL {
            assert!(FILES.iter().any(|(code, _, _)| *code == language.code()));
        }
    }

    #[test]
    fn no_english_is_left_in_another_language() {
        // Sentences (not names, codes or words shared by several languages) that a forgotten
        // English value would show.
        for index in 0..2 {
            let mut all = files(index);
            let Some((_, _, english)) = all.next() else {
                continue;
            };
            let english = keys_and_values(english);
            for (code, name, file) in all {
                let same: Vec<&str> = keys_and_values(file)
                    .into_iter()
                    .filter(|(key, value)| {
                        words_of(value) >= 3 && english.iter().any(|(k, v)| k == key && v == value)
                    })
                    .map(|(key, _)| key)
                    .collect();
                assert!(
                    same.is_empty(),
                    "locales/{code}/{name}: still English: {same:?}"
                );
            }
        }
    }

    #[test]
    fn words_take_their_arguments() {
        assert_eq!(Words::new("de").t("list-handle"), "Anfrage bearbeiten");
        assert_eq!(Words::new("es").t("list-handle"), "Tratar la solicitud");
        assert_eq!(
            Words::new("ja").with("history-read-on", &[("date", "11/27")]),
            "11/27 に既読"
        );
        assert_eq!(
            Words::of(LanguageCode::Fr).with("mail-subject-copy", &[("product", "Pompe")]),
            "Copie : Pompe"
        );
        assert_eq!(Words::new("xx").t("form-send"), "Send");
        assert_eq!(Words::new("en").try_with("no-such-key", &[]), None);
    }
}
