//! Email addresses, parsed once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("the address is empty")]
    Empty,
    #[error("“{0}” is not a valid email address")]
    Malformed(String),
}

/// A syntactically valid email address (addr-spec of RFC 5322 without quoted local parts or
/// domain literals, which no real participant uses and which would complicate every header we
/// write). Stored lower-cased, since we match senders against it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses `input`, ignoring surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let text = input.trim();
        if text.is_empty() {
            return Err(InvalidEmail::Empty);
        }
        let malformed = || InvalidEmail::Malformed(text.to_owned());
        if text.len() > 254 {
            return Err(malformed());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(malformed)?;
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(malformed());
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// A non-ASCII character an internationalized address may hold (RFC 6531): not a control
/// (C1 included: U+0085 would break a header line), not a space, not a sign that reorders
/// or hides text.
fn international(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && !crate::text::is_forbidden_in_line(c)
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c) || international(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || international(c))
        })
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_them() {
        let email = EmailAddress::parse("  Jean.Dupont+rfq@Example.FR ").expect("valid");
        assert_eq!(email.as_str(), "jean.dupont+rfq@example.fr");
        assert_eq!(email.domain(), "example.fr");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "plainaddress",
            "@example.com",
            "a@",
            "a@b",
            "a..b@example.com",
            "a@-example.com",
            "a b@example.com",
            "a@exa mple.com",
            ".a@example.com",
            // Found by the intake fuzz target: a C1 line break (NEL) inside the domain.
            "ana@b.examp0\u{fffd}0000\u{85}x",
            "a\u{202e}b@example.com",
            "a@exa\u{a0}mple.com",
        ] {
            assert!(
                matches!(EmailAddress::parse(bad), Err(InvalidEmail::Malformed(_))),
                "{bad} should be rejected"
            );
        }
        assert_eq!(EmailAddress::parse("   "), Err(InvalidEmail::Empty));
    }
}
