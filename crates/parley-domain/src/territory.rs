//! Countries, for buyers and sales-network territories.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

/// The text is not a two-letter country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not an ISO 3166-1 alpha-2 country code")]
pub struct InvalidCountry(pub String);

impl CountryCode {
    /// Parses a two-letter code in any case.
    pub fn parse(input: &str) -> Result<Self, InvalidCountry> {
        let bytes = input.trim().as_bytes();
        match bytes {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(InvalidCountry(input.trim().to_owned())),
        }
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// Parses a comma-separated list of country codes (`"FR, BE,LU"`), the stored form of a
/// territory. Empty items are ignored.
/// Regions a territory may name instead of listing their countries.
pub const REGIONS: &[(&str, &str)] = &[
    ("Benelux", "BE,NL,LU"),
    ("DACH", "DE,AT,CH"),
    ("Iberia", "ES,PT"),
    ("Nordics", "DK,FI,IS,NO,SE"),
    ("Baltics", "EE,LV,LT"),
    (
        "EU",
        "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE",
    ),
];

/// Parses a comma-separated list of country codes or region names (`"FR, Benelux"`), the
/// stored form of a territory being the countries. Empty items and repeats are dropped.
pub fn parse_territory(list: &str) -> Result<Vec<CountryCode>, InvalidCountry> {
    let mut countries = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let codes: Vec<CountryCode> =
            match REGIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(item)) {
                Some((_, region)) => region
                    .split(',')
                    .map(CountryCode::parse)
                    .collect::<Result<_, _>>()?,
                None => vec![CountryCode::parse(item)?],
            };
        for code in codes {
            if !countries.contains(&code) {
                countries.push(code);
            }
        }
    }
    Ok(countries)
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidCountry;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_lists() {
        assert_eq!(
            CountryCode::parse("fr").map(|c| c.to_string()),
            Ok("FR".into())
        );
        assert!(CountryCode::parse("FRA").is_err());
        assert!(CountryCode::parse("F1").is_err());
        let list = parse_territory("fr, be,,LU").expect("valid");
        assert_eq!(list.len(), 3);
        assert!(parse_territory("FR,XYZ").is_err());
    }

    #[test]
    fn regions_expand_to_their_countries_once() {
        let list = parse_territory("benelux, FR, BE, dach").expect("valid");
        let codes: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(codes, ["BE", "NL", "LU", "FR", "DE", "AT", "CH"]);
        assert_eq!(parse_territory("EU").expect("valid").len(), 27);
    }
}
