//! A buyer's request as a marketplace sends it, parsed at the edge: every field checked, every
//! problem reported at once. Pure, so it fuzzes alone (`fuzz/fuzz_targets/intake.rs`).

use crate::text;
use crate::{Buyer, BuyerId, CountryCode, EmailAddress, FieldError, LanguageCode, OrganizationId};

/// A buyer's request as a marketplace integration sends it.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub buyer_name: String,
    pub buyer_company: Option<String>,
    pub buyer_country: String,
    pub buyer_language: String,
    pub buyer_email: String,
    pub buyer_phone: Option<String>,
    /// An IANA time zone (`Europe/Lisbon`), optional.
    pub buyer_time_zone: Option<String>,
    pub manufacturer_id: String,
    /// The marketplace's own id for the manufacturer, instead of `manufacturer_id`.
    pub manufacturer_external_id: Option<String>,
    pub product_reference: String,
    pub product_name: String,
    /// The product line, for the manufacturer's routing rules.
    pub product_line: Option<String>,
    pub message: String,
    /// The request's language; the buyer's when absent.
    pub language: Option<String>,
    /// The marketplace's own id for the request: sending it twice creates it once.
    pub external_ref: Option<String>,
}

/// The manufacturer a request is for: Parley's id, or the sending marketplace's own id for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManufacturerRef {
    Id(OrganizationId),
    External(String),
}

/// A request whose fields passed the rules.
#[derive(Debug, Clone)]
pub struct ParsedRequest {
    pub buyer: Buyer,
    pub buyer_time_zone: Option<String>,
    pub manufacturer: ManufacturerRef,
    pub product_reference: String,
    pub product_name: String,
    pub product_line: Option<String>,
    pub message: String,
    pub language: LanguageCode,
    pub external_ref: Option<String>,
}

/// A required one-line field (it may reach a mail header): every problem goes to `errors`.
fn required(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    match text::one_line(value, text::NAME_MAX_CHARS) {
        Ok(value) => value,
        Err(error) => {
            field_error(errors, field, error.code(), format!("{field}: {error}."));
            String::new()
        }
    }
}

/// An optional one-line field.
fn optional(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    match text::optional_line(value.unwrap_or_default(), text::NAME_MAX_CHARS) {
        Ok(value) => value,
        Err(error) => {
            field_error(errors, field, error.code(), format!("{field}: {error}."));
            None
        }
    }
}

fn field_error(errors: &mut Vec<FieldError>, field: &str, code: &str, message: String) {
    errors.push(FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message,
    });
}

/// Parses a request; every invalid field is reported.
pub fn parse_new_request(input: NewRequest) -> Result<ParsedRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = required(&mut errors, "buyer.name", &input.buyer_name);
    let email = EmailAddress::parse(&input.buyer_email)
        .map_err(|e| field_error(&mut errors, "buyer.email", "email_invalid", e.to_string()))
        .ok();
    let country = CountryCode::parse(&input.buyer_country)
        .map_err(|e| {
            field_error(
                &mut errors,
                "buyer.country",
                "country_invalid",
                e.to_string(),
            )
        })
        .ok();
    let buyer_language = LanguageCode::parse(&input.buyer_language)
        .map_err(|e| {
            field_error(
                &mut errors,
                "buyer.language",
                "language_invalid",
                e.to_string(),
            )
        })
        .ok();
    let language = match input.language.as_deref().map(LanguageCode::parse) {
        None => buyer_language,
        Some(Ok(language)) => Some(language),
        Some(Err(e)) => {
            field_error(&mut errors, "language", "language_invalid", e.to_string());
            None
        }
    };
    let external = input
        .manufacturer_external_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let manufacturer = match (input.manufacturer_id.trim(), external) {
        ("", Some(external)) => crate::provisioning::external_id(external)
            .map(ManufacturerRef::External)
            .map_err(|e| {
                field_error(&mut errors, "manufacturer.external_id", &e.code, e.message);
            })
            .ok(),
        (_, Some(_)) => {
            field_error(
                &mut errors,
                "manufacturer_id",
                "manufacturer_ambiguous",
                "Give manufacturer_id or manufacturer.external_id, not both.".to_owned(),
            );
            None
        }
        (id, None) => id
            .parse::<OrganizationId>()
            .map(ManufacturerRef::Id)
            .map_err(|_| {
                field_error(
                    &mut errors,
                    "manufacturer_id",
                    "manufacturer_unknown",
                    "No such manufacturer.".to_owned(),
                );
            })
            .ok(),
    };
    let buyer_time_zone = match input.buyer_time_zone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(zone) if crate::provisioning::is_time_zone_name(zone) => Some(zone.to_owned()),
        Some(_) => {
            field_error(
                &mut errors,
                "buyer.time_zone",
                "time_zone_invalid",
                "A time zone is an IANA name such as Europe/Lisbon.".to_owned(),
            );
            None
        }
    };
    let product_reference = required(&mut errors, "product.reference", &input.product_reference);
    let product_name = required(&mut errors, "product.name", &input.product_name);
    let product_line = optional(&mut errors, "product.line", input.product_line.as_deref());
    let company = optional(&mut errors, "buyer.company", input.buyer_company.as_deref());
    let phone = optional(&mut errors, "buyer.phone", input.buyer_phone.as_deref());
    let external_ref = optional(&mut errors, "external_ref", input.external_ref.as_deref());
    let message = input.message.trim().to_owned();
    if message.is_empty() {
        field_error(
            &mut errors,
            "message",
            "message_empty",
            "The message field is empty.".into(),
        );
    } else if message.chars().count() > crate::message::MAX_MESSAGE_CHARS {
        field_error(
            &mut errors,
            "message",
            "message_too_long",
            format!(
                "The message is longer than {} characters.",
                crate::message::MAX_MESSAGE_CHARS
            ),
        );
    }
    match (email, country, buyer_language, language, manufacturer) {
        (Some(email), Some(country), Some(buyer_language), Some(language), Some(manufacturer))
            if errors.is_empty() =>
        {
            Ok(ParsedRequest {
                buyer: Buyer {
                    id: BuyerId::new(),
                    name,
                    company,
                    country,
                    language: buyer_language,
                    email,
                    phone,
                },
                buyer_time_zone,
                manufacturer,
                product_reference,
                product_name,
                product_line,
                message,
                language,
                external_ref,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_request_reports_every_bad_field() {
        let Err(errors) = parse_new_request(NewRequest {
            buyer_email: "nope".into(),
            buyer_country: "France".into(),
            buyer_language: "xx".into(),
            ..NewRequest::default()
        }) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "buyer.name",
            "buyer.email",
            "buyer.country",
            "buyer.language",
            "message",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }
}
