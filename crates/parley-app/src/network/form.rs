//! Reading the network page's forms: names, territories, auto-CC lists, each error under its
//! field; and a new member's first contact.

use parley_domain::territory::parse_territory;
use parley_domain::{EmailAddress, FieldError, Member, MemberId, OrganizationKind};
use parley_store::directory;

use crate::AppError;
use crate::new_request::AUTO_CC_TOKENS;

/// Adds an error under the field `field`.
pub(super) fn field(
    errors: &mut Vec<FieldError>,
    field: &str,
    code: &str,
    message: impl Into<String>,
) {
    errors.push(FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    });
}

/// Adds a network member's first contact. Someone Parley knows only as an outside contact (put
/// in copy, forwarded to) becomes this contact, keeping their history; a member of another
/// organization cannot be taken from it.
/// Returns the contact's member id.
pub(super) async fn add_contact(
    tx: &mut parley_store::Connection,
    contact: &Member,
) -> Result<MemberId, AppError> {
    match directory::member_by_email(&mut *tx, &contact.email).await? {
        None => {
            directory::insert_member(&mut *tx, contact).await?;
            Ok(contact.id)
        }
        Some(known) => {
            let theirs = directory::organization(&mut *tx, known.organization_id).await?;
            if theirs.kind != OrganizationKind::External {
                return Err(AppError::invalid(
                    "contact_email",
                    "email_taken",
                    "This address belongs to a member of another organization.",
                ));
            }
            let moved = Member {
                id: known.id,
                ..contact.clone()
            };
            directory::move_member(&mut *tx, &moved).await?;
            Ok(known.id)
        }
    }
}

/// A required one-line text (a name: it reaches mail headers), `when_empty` said when missing.
pub(super) fn one_line_field(
    errors: &mut Vec<FieldError>,
    name: &str,
    value: &str,
    when_empty: &str,
) -> String {
    match parley_domain::text::one_line(value, parley_domain::text::NAME_MAX_CHARS) {
        Ok(value) => value,
        Err(parley_domain::text::TextError::Empty) => {
            field(errors, name, "required", when_empty);
            String::new()
        }
        Err(error) => {
            field(errors, name, error.code(), format!("{error}."));
            String::new()
        }
    }
}

/// Parses an auto-CC list: every address valid, at most [`AUTO_CC_TOKENS`].
pub(super) fn parse_auto_cc(text: &str, errors: &mut Vec<FieldError>) -> Vec<EmailAddress> {
    let mut list = Vec::new();
    for item in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match EmailAddress::parse(item) {
            Ok(address) if !list.contains(&address) => list.push(address),
            Ok(_) => {}
            Err(e) => field(errors, "auto_cc", "email_invalid", format!("{item}: {e}")),
        }
    }
    if list.len() > AUTO_CC_TOKENS {
        field(
            errors,
            "auto_cc",
            "too_many",
            format!("At most {AUTO_CC_TOKENS} addresses."),
        );
    }
    list
}

/// Parses a territory (countries and regions): at least one, each known.
pub(super) fn parse_territories(
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<parley_domain::CountryCode> {
    match parse_territory(text) {
        Ok(list) if !list.is_empty() => list,
        Ok(_) => {
            field(
                errors,
                "territories",
                "required",
                "Give at least one country or region.",
            );
            Vec::new()
        }
        Err(e) => {
            field(errors, "territories", "country_invalid", e.to_string());
            Vec::new()
        }
    }
}
