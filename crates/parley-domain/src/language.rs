//! The languages Parley speaks and translates.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the nine languages of the guide (fr, en, de, es, it, pt, ru, zh, ja).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageCode {
    Fr,
    En,
    De,
    Es,
    It,
    Pt,
    Ru,
    Zh,
    Ja,
}

/// The text is not one of the supported languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a supported language (fr, en, de, es, it, pt, ru, zh, ja)")]
pub struct UnsupportedLanguage(pub String);

impl LanguageCode {
    /// Every supported language, in the guide's order.
    pub const ALL: [Self; 9] = [
        Self::Fr,
        Self::En,
        Self::De,
        Self::Es,
        Self::It,
        Self::Pt,
        Self::Ru,
        Self::Zh,
        Self::Ja,
    ];

    /// Parses an ISO 639-1 code, accepting region suffixes (`fr-CA`, `pt_BR`) and any case.
    pub fn parse(input: &str) -> Result<Self, UnsupportedLanguage> {
        let primary = input
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|lang| lang.code() == primary)
            .ok_or_else(|| UnsupportedLanguage(input.trim().to_owned()))
    }

    /// For any BCP 47 language tag (`nl`, `nl-BE`, `sr-Latn-RS`): the tag as written, checked,
    /// and the nearest language Parley speaks, English when none is near (a Dutch contact
    /// reads English mail). `None` when the text is no language tag.
    #[must_use]
    pub fn nearest(tag: &str) -> Option<(Self, String)> {
        let tag = tag.trim();
        let mut subtags = tag.split(['-', '_']);
        let primary = subtags.next()?;
        let primary_ok =
            (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
        let rest_ok = subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !primary_ok || !rest_ok {
            return None;
        }
        Some((
            Self::parse(primary).unwrap_or(Self::En),
            tag.replace('_', "-"),
        ))
    }

    /// The two-letter code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
            Self::De => "de",
            Self::Es => "es",
            Self::It => "it",
            Self::Pt => "pt",
            Self::Ru => "ru",
            Self::Zh => "zh",
            Self::Ja => "ja",
        }
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_language_tag_has_a_nearest_language() {
        assert_eq!(
            LanguageCode::nearest("nl"),
            Some((LanguageCode::En, "nl".into()))
        );
        assert_eq!(
            LanguageCode::nearest("fr-BE"),
            Some((LanguageCode::Fr, "fr-BE".into()))
        );
        assert_eq!(
            LanguageCode::nearest("pt_BR"),
            Some((LanguageCode::Pt, "pt-BR".into()))
        );
        assert_eq!(LanguageCode::nearest("x"), None);
        assert_eq!(LanguageCode::nearest("nl-\n"), None);
    }

    #[test]
    fn parses_codes_with_regions_and_case() {
        assert_eq!(LanguageCode::parse("FR-ca"), Ok(LanguageCode::Fr));
        assert_eq!(LanguageCode::parse("pt_BR"), Ok(LanguageCode::Pt));
        assert_eq!(LanguageCode::parse("ja"), Ok(LanguageCode::Ja));
        assert!(LanguageCode::parse("nl").is_err());
        assert!(LanguageCode::parse("").is_err());
    }

    #[test]
    fn code_round_trips() {
        for lang in LanguageCode::ALL {
            assert_eq!(LanguageCode::parse(lang.code()), Ok(lang));
        }
    }
}
