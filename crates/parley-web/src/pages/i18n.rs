//! The pages' languages: Fluent files in `locales/`, one per language of the guide (nine, each
//! complete: a test compares every file's keys with English's). The language comes from the
//! switcher's cookie, else the signed-in person's profile language, else the browser's
//! Accept-Language (by q-value; a region such as `de-AT`, `pt-BR` or `zh-TW` counts as its
//! language), else English.

use axum::extract::{FromRequestParts, Path};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::i18n::{Words, Zone};
use parley_domain::FieldError;

use super::session::{cookie, set_cookie};
use crate::AppState;

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
/// The browser's time zone, set by `/static/zone.js`.
const ZONE_COOKIE: &str = "parley_tz";

/// The reader's language, for templates: `{{ tr.t("key") }}`.
#[derive(Debug, Clone)]
pub struct Tr {
    words: Words,
    code: &'static str,
    /// Where times are shown: the browser's zone, else UTC (labelled).
    zone: Zone,
}

impl Tr {
    pub fn new(code: &'static str) -> Self {
        Self {
            words: Words::new(code),
            code,
            zone: Zone::utc(),
        }
    }

    /// The same words, with times shown in the zone the browser said (see `zone.js`).
    fn in_zone_of(mut self, headers: &axum::http::HeaderMap) -> Self {
        if let Some(zone) = cookie(headers, ZONE_COOKIE)
            .map(|value| {
                value
                    .replace("%2F", "/")
                    .replace("%2f", "/")
                    .replace("%2B", "+")
            })
            .and_then(|name| Zone::named(&name))
        {
            self.zone = zone;
        }
        self
    }

    /// A date and time where the reader is, as their language writes it.
    pub fn time(&self, at: parley_domain::Timestamp) -> String {
        self.words.date_time(at, &self.zone)
    }

    /// A number as the reader's language writes it (`1 234,5`).
    pub fn number(&self, number: impl std::fmt::Display) -> String {
        self.words.number(&number.to_string())
    }

    /// An amount as the reader's language writes it.
    pub fn money(&self, money: parley_domain::Money) -> String {
        self.words.money(money)
    }

    /// An amount as the history stores it, as the reader's language writes it.
    pub fn amount(&self, stored: &str) -> String {
        self.words.stored_amount(stored)
    }

    /// The language code (`en`, `fr`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        self.words.t(key)
    }

    /// The text of `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&'static str, &str), b: (&'static str, &str)) -> String {
        self.words.with(key, &[a, b])
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.words.with(key, &[(name, &value.to_string())])
    }

    /// A send error in the reader's language (by its code), or its own message when the code
    /// has no translation.
    /// A code that means different things on different fields (`required`) has a text per
    /// field (`error-required-note`) before its general one.
    pub fn error(&self, error: &FieldError, max_mb: impl std::fmt::Display) -> String {
        let mb = max_mb.to_string();
        let field = error.field.replace(['.', '[', ']'], "_");
        [
            format!("error-{}-{field}", error.code),
            format!("error-{}", error.code),
        ]
        .iter()
        .find_map(|key| self.words.try_with(key, &[("mb", &mb)]))
        .unwrap_or_else(|| error.message.clone())
    }

    /// The language for a request: the switcher's choice, else the best of Accept-Language.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        if let Some(chosen) = cookie(headers, COOKIE).and_then(|c| offered(&c)) {
            return Self::new(chosen).in_zone_of(headers);
        }
        let accepted = headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Self::new(best_match(accepted)).in_zone_of(headers)
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
            return Ok(Self::new(chosen).in_zone_of(&parts.headers));
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
        Ok(profile.map_or_else(
            || Self::from_headers(&parts.headers),
            |code| Self::new(code).in_zone_of(&parts.headers),
        ))
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

    #[test]
    fn every_offered_language_has_its_words() {
        for (code, _) in OFFERED {
            assert!(parley_domain::LanguageCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(OFFERED.len(), parley_domain::LanguageCode::ALL.len());
    }

    #[test]
    fn errors_read_in_the_readers_language_by_code_and_field() {
        let error = |field: &str, code: &str| FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: "English from the domain".to_owned(),
        };
        let fr = Tr::new("fr");
        assert_eq!(
            fr.error(&error("note", "required"), 0),
            "Dites pourquoi en quelques mots."
        );
        assert_eq!(
            fr.error(&error("quote.reference", "required"), 0),
            "Indiquez la référence du devis."
        );
        assert_eq!(
            fr.error(&error("name", "required"), 0),
            "Ce champ est vide."
        );
        assert_eq!(
            Tr::new("de").error(&error("contact_email", "email_taken"), 0),
            "Diese Adresse gehört einem Mitglied einer anderen Organisation."
        );
        assert_eq!(
            Tr::new("ja").error(&error("document", "file_too_large"), 12),
            Tr::new("ja").t1("error-file_too_large", "mb", 12)
        );
        // A code with no text yet says what the domain said, rather than nothing.
        assert_eq!(
            fr.error(&error("x", "no_such_code"), 0),
            "English from the domain"
        );
    }

    #[test]
    fn french_reads_french() {
        let fr = Tr::new("fr");
        assert_eq!(fr.t("form-send"), "Envoyer");
        assert_eq!(fr.t1("history-read-on", "date", "27/11"), "Lu le 27/11");
    }
}
