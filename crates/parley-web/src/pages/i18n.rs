//! The pages' languages: Fluent files in `locales/`, one per language of the guide (nine, each
//! complete: a test compares every file's keys with English's). The language comes from the
//! switcher's cookie, else the signed-in person's profile language, else the browser's
//! Accept-Language (by q-value; a region such as `de-AT`, `pt-BR` or `zh-TW` counts as its
//! language), else English.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use parley_domain::FieldError;

use super::session::{cookie, set_cookie};
use crate::AppState;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: our arguments are names and numbers.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The UI languages offered in the switcher (complete translations), each named in itself.
pub const OFFERED: [(&str, &str); 9] = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("zh", "中文"),
    ("ja", "日本語"),
];
const COOKIE: &str = "parley_lang";

/// The reader's language, for templates: `{{ tr.t("key") }}`.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: LanguageIdentifier,
    code: &'static str,
}

impl Tr {
    pub fn new(code: &'static str) -> Self {
        let lang = code.parse().unwrap_or_default();
        Self { lang, code }
    }

    /// The language code (`en`, `fr`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.lang, key)
    }

    /// The text of `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&'static str, &str), b: (&'static str, &str)) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(a.0), FluentValue::from(a.1.to_owned()));
        args.insert(Cow::Borrowed(b.0), FluentValue::from(b.1.to_owned()));
        LOCALES.lookup_with_args(&self.lang, key, &args)
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES.lookup_with_args(&self.lang, key, &args)
    }

    /// A send error in the reader's language (by its code), or its own message when the code
    /// has no translation.
    pub fn error(&self, error: &FieldError, max_mb: impl std::fmt::Display) -> String {
        let key = format!("error-{}", error.code);
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed("mb"), FluentValue::from(max_mb.to_string()));
        LOCALES
            .try_lookup_with_args(&self.lang, &key, &args)
            .unwrap_or_else(|| error.message.clone())
    }

    /// The language for a request: the switcher's choice, else the best of Accept-Language.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        if let Some(chosen) = cookie(headers, COOKIE).and_then(|c| offered(&c)) {
            return Self::new(chosen);
        }
        let accepted = headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Self::new(best_match(accepted))
    }
}

fn offered(code: &str) -> Option<&'static str> {
    OFFERED.iter().map(|(c, _)| *c).find(|c| *c == code)
}

/// The offered language the browser prefers (by q-value), English when none.
fn best_match(accept_language: &str) -> &'static str {
    let mut best: Option<(&'static str, f32)> = None;
    for item in accept_language.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        if let Some(code) = offered(primary)
            && best.is_none_or(|(_, best_q)| q > best_q)
        {
            best = Some((code, q));
        }
    }
    best.map_or("en", |(code, _)| code)
}

impl FromRequestParts<AppState> for Tr {
    type Rejection = std::convert::Infallible;

    /// The switcher's choice, else the signed-in person's profile language, else the
    /// browser's.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(chosen) = cookie(&parts.headers, COOKIE).and_then(|c| offered(&c)) {
            return Ok(Self::new(chosen));
        }
        // A failed lookup is the page's to report (through `SignedIn`); the language falls
        // back to the browser's.
        let profile = super::session::current_session(parts, state)
            .await
            .ok()
            .flatten()
            .and_then(|(session, _)| match session.caller {
                parley_app::Caller::Member(member) => offered(member.language.code()),
                parley_app::Caller::Buyer(buyer) => offered(buyer.language.code()),
                parley_app::Caller::Marketplace(_) => None,
            });
        Ok(profile.map_or_else(|| Self::from_headers(&parts.headers), Self::new))
    }
}

/// The language switcher: remembers the choice and goes back to the page it was chosen on.
pub async fn switch(
    axum::extract::State(state): axum::extract::State<AppState>,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    let next = parley_app::web_sessions::local_path(&back);
    match offered(&code) {
        Some(code) => (
            [(
                SET_COOKIE,
                set_cookie(&state, COOKIE, code, 365 * 24 * 3600),
            )],
            Redirect::to(&next),
        )
            .into_response(),
        None => Redirect::to(&next).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_preferred_offered_language() {
        assert_eq!(best_match("fr-FR,fr;q=0.9,en;q=0.8"), "fr");
        assert_eq!(best_match("nl-NL,nl;q=0.9,en;q=0.5,fr;q=0.7"), "fr");
        assert_eq!(best_match("de-AT"), "de");
        assert_eq!(best_match("pt-BR,pt;q=0.9"), "pt");
        assert_eq!(best_match("zh-TW,zh;q=0.8,en;q=0.5"), "zh");
        assert_eq!(best_match("ja"), "ja");
        assert_eq!(best_match("en;q=0.4,ru;q=0.6"), "ru");
        assert_eq!(best_match("sv"), "en");
        assert_eq!(best_match(""), "en");
    }

    fn keys(ftl: &str) -> Vec<&str> {
        ftl.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .collect()
    }

    /// Every locale file, by language code.
    const FILES: [(&str, &str); 9] = [
        ("en", include_str!("../../locales/en/parley.ftl")),
        ("fr", include_str!("../../locales/fr/parley.ftl")),
        ("de", include_str!("../../locales/de/parley.ftl")),
        ("es", include_str!("../../locales/es/parley.ftl")),
        ("it", include_str!("../../locales/it/parley.ftl")),
        ("pt", include_str!("../../locales/pt/parley.ftl")),
        ("ru", include_str!("../../locales/ru/parley.ftl")),
        ("zh", include_str!("../../locales/zh/parley.ftl")),
        ("ja", include_str!("../../locales/ja/parley.ftl")),
    ];

    #[test]
    fn every_locale_is_complete_and_offered() {
        // Compared file to file: a lookup would fall back to English and hide a gap.
        let en = keys(FILES[0].1);
        for (code, file) in FILES {
            let theirs = keys(file);
            let missing: Vec<&&str> = en.iter().filter(|k| !theirs.contains(k)).collect();
            let extra: Vec<&&str> = theirs.iter().filter(|k| !en.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "locales/{code}/parley.ftl: missing {missing:?}, unknown {extra:?}"
            );
            assert!(offered(code).is_some(), "{code} is not in the switcher");
        }
        assert_eq!(OFFERED.len(), FILES.len());
    }

    #[test]
    fn no_english_is_left_in_another_language() {
        // Sentences (not names, codes or words shared by several languages) that a forgotten
        // English value would show.
        let english = keys_and_values(FILES[0].1);
        for (code, file) in &FILES[1..] {
            let same: Vec<&str> = keys_and_values(file)
                .into_iter()
                .filter(|(key, value)| {
                    value.split_whitespace().count() >= 3
                        && english.iter().any(|(k, v)| k == key && v == value)
                })
                .map(|(key, _)| key)
                .collect();
            assert!(same.is_empty(), "locales/{code}: still English: {same:?}");
        }
        let de = Tr::new("de");
        assert_eq!(de.t("list-handle"), "Anfrage bearbeiten");
        assert_eq!(Tr::new("es").t("list-handle"), "Tratar la solicitud");
        assert_eq!(
            Tr::new("ja").t1("history-read-on", "date", "11/27"),
            "11/27 に既読"
        );
    }

    fn keys_and_values(ftl: &str) -> Vec<(&str, &str)> {
        ftl.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim(), v.trim())))
            .collect()
    }

    #[test]
    fn french_reads_french() {
        let fr = Tr::new("fr");
        assert_eq!(fr.t("form-send"), "Envoyer");
        assert_eq!(fr.t1("history-read-on", "date", "27/11"), "Lu le 27/11");
    }
}
