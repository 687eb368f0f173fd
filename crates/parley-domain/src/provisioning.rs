//! What a marketplace operator and its integration send to set Parley up: marketplaces,
//! exhibitors (organizations, known by the marketplace's own id for them) and their people.
//! Each input is parsed whole, every bad field reported at once.

use crate::email::EmailAddress;
use crate::kinds::{MemberRole, OrganizationKind};
use crate::language::LanguageCode;
use crate::message::FieldError;
use crate::territory::CountryCode;
use crate::text::{NAME_MAX_CHARS, one_line};

/// The longest external id or slug accepted.
pub const KEY_MAX_CHARS: usize = 100;

/// A marketplace's slug: lower-case letters, digits and inner hyphens (`acme-expo`), as it
/// appears in commands and logs.
pub fn marketplace_slug(input: &str) -> Result<String, FieldError> {
    let ok = (2..=KEY_MAX_CHARS).contains(&input.len())
        && input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !input.starts_with('-')
        && !input.ends_with('-');
    if ok {
        Ok(input.to_owned())
    } else {
        Err(field(
            "slug",
            "slug_invalid",
            "A slug is 2 to 100 lower-case letters, digits and hyphens (e.g. acme-expo).",
        ))
    }
}

/// The marketplace's own id for an exhibitor: it travels in URLs, so letters, digits and
/// `- _ . :` only, 1 to 100 of them.
pub fn external_id(input: &str) -> Result<String, FieldError> {
    let ok = (1..=KEY_MAX_CHARS).contains(&input.len())
        && input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(input.to_owned())
    } else {
        Err(field(
            "external_id",
            "external_id_invalid",
            "An external id is 1 to 100 letters, digits, '-', '_', '.' or ':'.",
        ))
    }
}

/// An exhibitor as its marketplace describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationInput {
    pub name: String,
    pub kind: OrganizationKind,
    pub country: Option<CountryCode>,
    /// The language of its people when they do not say.
    pub language: LanguageCode,
}

impl OrganizationInput {
    pub fn parse(
        name: &str,
        kind: &str,
        country: Option<&str>,
        language: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = one_line(name, NAME_MAX_CHARS)
            .map_err(|e| errors.push(field("name", e.code(), &e.to_string())))
            .ok();
        // Exhibitors are manufacturers; their distributors join through the manufacturer's
        // sales network, which decides their territories.
        let kind = match kind {
            "manufacturer" => Some(OrganizationKind::Manufacturer),
            _ => {
                errors.push(field(
                    "kind",
                    "kind_invalid",
                    "An exhibitor's kind is \"manufacturer\".",
                ));
                None
            }
        };
        let country = match country.filter(|c| !c.is_empty()) {
            None => Some(None),
            Some(code) => CountryCode::parse(code)
                .map(Some)
                .map_err(|e| errors.push(field("country", "country_invalid", &e.to_string())))
                .ok(),
        };
        let language = parse_language(language, &mut errors);
        match (name, kind, country, language) {
            (Some(name), Some(kind), Some(country), Some(language)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    kind,
                    country,
                    language,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A person of an exhibitor as its marketplace describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub email: EmailAddress,
    pub name: String,
    pub language: Option<LanguageCode>,
    pub role: MemberRole,
    pub time_zone: Option<String>,
}

impl MemberInput {
    pub fn parse(
        email: &str,
        name: &str,
        language: Option<&str>,
        role: &str,
        time_zone: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = EmailAddress::parse(email)
            .map_err(|e| errors.push(field("email", "email_invalid", &e.to_string())))
            .ok();
        let name = one_line(name, NAME_MAX_CHARS)
            .map_err(|e| errors.push(field("name", e.code(), &e.to_string())))
            .ok();
        let language = match language.filter(|l| !l.is_empty()) {
            None => Some(None),
            some => parse_language(some, &mut errors).map(Some),
        };
        let role = MemberRole::parse(role)
            .map_err(|_| {
                errors.push(field(
                    "role",
                    "role_invalid",
                    "A role is \"admin\" or \"sales\".",
                ));
            })
            .ok();
        let time_zone = match time_zone.filter(|z| !z.is_empty()) {
            None => Some(None),
            Some(zone) if is_time_zone_name(zone) => Some(Some(zone.to_owned())),
            Some(_) => {
                errors.push(field(
                    "time_zone",
                    "time_zone_invalid",
                    "A time zone is an IANA name such as Europe/Paris.",
                ));
                None
            }
        };
        match (email, name, language, role, time_zone) {
            (Some(email), Some(name), Some(language), Some(role), Some(time_zone))
                if errors.is_empty() =>
            {
                Ok(Self {
                    email,
                    name,
                    language,
                    role,
                    time_zone,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Whether `zone` has the shape of an IANA time zone name (`UTC`, `Europe/Paris`,
/// `America/Argentina/Buenos_Aires`, `Etc/GMT+5`). Which names exist is the formatter's
/// business; this keeps anything else out of the database and the pages.
#[must_use]
pub fn is_time_zone_name(zone: &str) -> bool {
    zone.len() <= 64
        && zone.split('/').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        })
}

fn parse_language(language: Option<&str>, errors: &mut Vec<FieldError>) -> Option<LanguageCode> {
    match language.filter(|l| !l.is_empty()) {
        None => Some(LanguageCode::En),
        Some(code) => LanguageCode::parse(code)
            .map_err(|e| errors.push(field("language", "language_invalid", &e.to_string())))
            .ok(),
    }
}

fn field(name: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_external_ids() {
        assert!(marketplace_slug("acme-expo").is_ok());
        for bad in [
            "",
            "a",
            "Acme",
            "-acme",
            "acme-",
            "acme expo",
            "acme/x",
            "é",
        ] {
            assert!(marketplace_slug(bad).is_err(), "{bad}");
        }
        assert!(external_id("EXH-42:fr.1_a").is_ok());
        for bad in ["", "a/b", "a b", "..\n", "a?b", "%2F"] {
            assert!(external_id(bad).is_err(), "{bad}");
        }
        assert!(external_id(&"x".repeat(101)).is_err());
    }

    #[test]
    fn every_bad_field_at_once() {
        let errors =
            OrganizationInput::parse("Evil\r\nBcc: x", "distributor", Some("XX1"), Some("tlh"))
                .expect_err("refused");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "country", "language"]);
        let errors = MemberInput::parse("nope", "", Some("xx"), "boss", Some("Paris; DROP"))
            .expect_err("refused");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "language", "role", "time_zone"]);
    }

    #[test]
    fn time_zone_names() {
        for good in [
            "UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert!(is_time_zone_name(good), "{good}");
        }
        for bad in [
            "",
            "/Paris",
            "Europe//Paris",
            "Europe/Paris ",
            "../etc",
            "1/2",
        ] {
            assert!(!is_time_zone_name(bad), "{bad}");
        }
    }
}
